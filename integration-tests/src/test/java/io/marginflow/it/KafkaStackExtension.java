package io.marginflow.it;

import io.marginflow.ops.FileTrees;
import io.marginflow.ops.embedded.EmbeddedStack;
import io.marginflow.registry.server.EmbeddedSchemaRegistry;
import io.marginflow.registry.store.SchemaStore;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/** Starts one broker and registry per test class and stops them after it; see {@link WithKafkaStack}. */
public final class KafkaStackExtension implements ExecutionCondition, BeforeAllCallback, ParameterResolver {
  static final String MODE_PROPERTY = "marginflow.it.kafka";
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KafkaStackExtension.class);
  private static final String KAFKA_IMAGE = "apache/kafka:4.1.0";

  /** Closes whatever was started when the class's store is closed. */
  private record Running(KafkaStack stack, AutoCloseable resources) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() throws Exception {
      resources.close();
    }
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if ("testcontainers".equals(mode()) && !DockerClientFactory.instance().isDockerAvailable()) {
      return ConditionEvaluationResult.disabled("Docker is not available: the Testcontainers run is skipped "
          + "(the embedded-broker run covers the same tests)");
    }
    return ConditionEvaluationResult.enabled("broker: " + mode());
  }

  private static String mode() {
    return System.getProperty(MODE_PROPERTY, "embedded");
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    String mode = mode();
    Running running = switch (mode) {
      case "embedded" -> embedded();
      case "testcontainers" -> testcontainers();
      default -> throw new IllegalArgumentException(MODE_PROPERTY + " must be embedded or testcontainers, not " + mode);
    };
    context.getStore(NS).put("stack", running);
  }

  private static Running embedded() throws IOException {
    Path dir = ScratchDirs.newDirectory("marginflow-it-");
    EmbeddedStack stack = EmbeddedStack.start(dir, 0, 0);
    return new Running(new KafkaStack(stack.bootstrapServers(), stack.registryUrl(), "embedded"), () -> {
      stack.close();
      FileTrees.deleteRecursively(dir);
    });
  }

  private static Running testcontainers() throws IOException {
    KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE);
    kafka.start();
    EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0, new SchemaStore());
    return new Running(new KafkaStack(kafka.getBootstrapServers(), registry.url(), "testcontainers"), () -> {
      registry.close();
      kafka.stop();
    });
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == KafkaStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Running running = context.getStore(NS).get("stack", Running.class);
    if (running == null) {
      throw new IllegalStateException("No Kafka stack: annotate the class with @WithKafkaStack");
    }
    return running.stack();
  }
}
