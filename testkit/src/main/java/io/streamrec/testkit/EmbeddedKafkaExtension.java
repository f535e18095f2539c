package io.streamrec.testkit;

import io.streamrec.broker.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: one real embedded KRaft broker per test class, started before the first test
 * and stopped after the last. Tests and lifecycle methods receive it as an {@link
 * EmbeddedKafkaBroker} parameter. Give each test unique topic names (for example with {@link
 * TestTopics#suffix()}) so tests stay independent.
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    broker(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
    return pc.getParameter().getType() == EmbeddedKafkaBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
    return broker(ec);
  }

  private static EmbeddedKafkaBroker broker(ExtensionContext context) {
    ExtensionContext classContext = context;
    while (classContext.getParent().isPresent() && classContext.getTestMethod().isPresent()) {
      classContext = classContext.getParent().get();
    }
    return classContext
        .getStore(NS)
        .getOrComputeIfAbsent(
            "broker", k -> new Resource(EmbeddedKafkaBroker.temporary().start()), Resource.class)
        .broker();
  }

  /**
   * Closed by JUnit with the class's store (JUnit 5.13 closes {@link AutoCloseable} store values).
   */
  private record Resource(EmbeddedKafkaBroker broker) implements AutoCloseable {
    @Override
    public void close() {
      broker.close();
    }
  }
}
