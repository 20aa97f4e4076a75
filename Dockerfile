# The marginflow image: the same CLI as bin/marginflow (run, ingest, connect, topics apply, produce, tick, ...).
#   ./mvnw -B -DskipTests package && docker build -t marginflow:0.1.0 .
#   docker run --rm marginflow:0.1.0 run --config /etc/marginflow/marginflow.properties
# .ci/run builds it when a Docker engine is present and skips it otherwise. Java 21: RocksDB's native access flag is known.
FROM eclipse-temurin:21-jre
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin marginflow \
 && mkdir -p /var/lib/marginflow/state /var/lib/marginflow-connect \
 && chown -R 10001 /var/lib/marginflow /var/lib/marginflow-connect
WORKDIR /app
COPY ops/target/lib/ /app/lib/
COPY ops/target/marginflow-ops.jar /app/marginflow-ops.jar
USER 10001
# Heap and other JVM options come from JAVA_TOOL_OPTIONS (the Kubernetes manifests set -Xmx to fit the memory limit).
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-XX:+ExitOnOutOfMemoryError", "-cp", "/app/marginflow-ops.jar:/app/lib/*", "io.marginflow.ops.cli.MarginflowCli"]
CMD ["--help"]
