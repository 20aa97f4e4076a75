package io.marginflow.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.marginflow.ops.demo.Demo;
import io.marginflow.ops.demo.DemoOptions;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the demo, opens its dashboard in headless Chromium and checks that the charts render with data; the
 * screenshot is saved as target/dashboard.png. Skipped without Chromium, except in CI, where .ci/run installs it.
 */
class DashboardBrowserIT {
  private static final String MARGIN_PIXELS = "(() => { const c = document.getElementById('marginChart');"
      + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
      + " for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) { n++; } } return n; })()";

  private static JsonNode state(Cdp browser) {
    try {
      return browser.eval("window.__marginflow || null");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void shouldRenderTheDashboardWithLiveData(@TempDir Path dir) throws Exception {
    if (!Files.isExecutable(Cdp.CHROMIUM)) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("CI must have Chromium (.ci/run installs Debian's chromium package)");
      }
      Assumptions.abort("Chromium is not installed: browser test skipped");
    }
    DemoOptions options = new DemoOptions(dir.resolve("demo"), 0, 0, 0, Duration.ofHours(2), 720, 8, 4, 3, 10, true,
        Duration.ofMinutes(10));
    try (Demo demo = Demo.start(options, new PrintStream(OutputStream.nullOutputStream()));
        Cdp browser = Cdp.launch(1280, 900)) {
      browser.navigate(demo.dashboardUrl());
      Records.await(Duration.ofMinutes(2), "the dashboard shows data", () -> state(browser).path("ready").asBoolean());
      String address = browser.eval("location.href").asText();
      assertTrue(address.startsWith("http://localhost:") && !address.contains(options.adminToken())
          && !address.contains("token"), "the token is gone from the address bar: " + address);
      assertTrue(demo.dashboardUrl().contains(options.adminToken()), "it was given in the address");
      JsonNode state = state(browser);
      assertTrue(state.path("marginPoints").asInt() > 0, state.toString());
      assertTrue(state.path("nodes").asInt() >= 3, "energy bars for the nodes: " + state);
      Records.await(Duration.ofMinutes(1), "the unit-cost table has rows (costs.model-region.v1 via /v1/unit-costs)",
          () -> state(browser).path("unitCosts").asInt() > 0);
      Records.await(Duration.ofMinutes(1), "the multiplier table shows a price the loop moved (pricing.adjustments.v1 via "
          + "/v1/pricing)", () -> state(browser).path("pricesMoved").asInt() > 0);
      int drawn = browser.eval(MARGIN_PIXELS).asInt();
      assertTrue(drawn > 2_000, "the margin chart drew " + drawn + " pixels");
      byte[] png = browser.screenshot();
      Files.createDirectories(Path.of("target"));
      Files.write(Path.of("target/dashboard.png"), png);
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
      assertTrue(image.getWidth() == 1280 && image.getHeight() == 900, image.getWidth() + "x" + image.getHeight());
    }
  }
}
