package io.marginflow.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marginflow.topology.query.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Spec;

/**
 * {@code bench jmh [JMH options]}: the micro-benchmarks of the hot paths (package {@code io.marginflow.bench.jmh}),
 * each against its plain alternative, run by JMH with any of its own options (e.g. {@code -f 1 -wi 2 -i 3 Dedup}).
 */
@Command(name = "jmh", mixinStandardHelpOptions = true,
    description = {"JMH micro-benchmarks of the hot paths, each against its plain alternative. Arguments are JMH's own",
        "(a benchmark name pattern, -f forks, -wi/-i iterations, -p param=values). Ends with one JSON line."})
final class JmhBench implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  /** JMH arguments (default: every benchmark in io.marginflow.bench.jmh). */
  @Unmatched
  private List<String> args = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    // Without a name pattern JMH runs every benchmark of the jar's BenchmarkList: this module's only.
    Collection<RunResult> results = new Runner(new CommandLineOptions(args.toArray(String[]::new))).run();
    ObjectNode json = Json.MAPPER.createObjectNode().put("bench", "jmh");
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark().replaceFirst("^io\\.marginflow\\.bench\\.jmh\\.", "");
      StringBuilder key = new StringBuilder(name);
      for (String p : r.getParams().getParamsKeys()) {
        key.append('[').append(p).append('=').append(r.getParams().getParam(p)).append(']');
      }
      json.put(key.toString() + "_" + r.getPrimaryResult().getScoreUnit().replace('/', '_'),
          Math.round(r.getPrimaryResult().getScore() * 1000) / 1000.0);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(Json.MAPPER.writeValueAsString(json));
    out.flush();
    return 0;
  }
}
