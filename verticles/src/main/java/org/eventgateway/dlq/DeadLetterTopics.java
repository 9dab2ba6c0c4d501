package org.eventgateway.dlq;

import io.vertx.core.Future;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.Collection;
import java.util.List;

/**
 * Creates the dead-letter topics that do not exist yet, one partition each (so a DLQ offset is a
 * stable position); a topic another gateway created meanwhile counts as created.
 */
final class DeadLetterTopics {
  private DeadLetterTopics() {}

  static Future<Void> create(KafkaAdminClient admin, Collection<String> topics) {
    if (topics.isEmpty()) {
      return Future.succeededFuture();
    }
    return admin.listTopics().compose(existing -> {
      List<NewTopic> missing = topics.stream().distinct()
        .filter(t -> !existing.contains(t)).map(t -> new NewTopic(t, 1, (short) 1)).toList();
      return missing.isEmpty() ? Future.<Void>succeededFuture() : admin.createTopics(missing)
        .recover(err -> err instanceof TopicExistsException || err.getCause() instanceof TopicExistsException
          ? Future.succeededFuture() : Future.failedFuture(err));
    }).recover(err -> Future.failedFuture("cannot create dead-letter topics " + topics + ": " + err.getMessage()));
  }
}
