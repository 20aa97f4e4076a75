package io.marginflow.topology.app;

import io.marginflow.topology.config.MarginflowConfig;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Start-up's first question to the cluster, with an answer a user can act on: without it, a command pointed at no
 * broker repeats Kafka's "connection could not be established" warning every second and fails a minute later with a
 * bare TimeoutException.
 */
public final class BrokerReach {
  /** How long start-up waits for a broker to answer before it says so. */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(20);

  private BrokerReach() {
  }

  /** Returns when the cluster at {@code bootstrap} answers; else fails naming the setting, the address and the fix. */
  public static void require(Admin admin, String bootstrap, Duration wait) {
    try {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) wait.toMillis())).clusterId().get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      String why = cause instanceof TimeoutException
          ? "no Kafka broker answered there within " + wait.toSeconds() + " s"
          : "the cluster there refused: " + cause.getMessage();
      throw new ConfigException(MarginflowConfig.BOOTSTRAP_SERVERS, bootstrap, why + ". Start a local broker with "
          + "`bin/marginflow broker` (localhost:9092), or point marginflow at your cluster (the setting "
          + MarginflowConfig.BOOTSTRAP_SERVERS + ", MARGINFLOW_BOOTSTRAP_SERVERS, or a command's --bootstrap-server)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reaching " + bootstrap, e);
    }
  }
}
