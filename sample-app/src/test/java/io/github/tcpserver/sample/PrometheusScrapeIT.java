package io.github.tcpserver.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scrapes the packaged sample application with a real Prometheus (Debian's {@code prometheus},
 * which {@code scripts/test.sh} installs): the sample runs the TCP server's HTTP listener next to
 * Tomcat, so {@code /actuator/prometheus} holds both {@code http_server_requests} (Tomcat) and
 * {@code tcp_server_http_requests}; Prometheus must ingest the scrape and answer queries for the
 * TCP series through its HTTP API. Both processes run on loopback and are stopped afterwards.
 */
class PrometheusScrapeIT {

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final JsonMapper json = JsonMapper.builder().build();

	private SampleProcess sample;

	private Process prometheus;

	@AfterEach
	void stop() throws InterruptedException {
		SampleProcess.stop(this.prometheus);
		if (this.sample != null) {
			this.sample.close();
		}
	}

	@Test
	void prometheusScrapesTheSampleAndAnswersQueriesForTheTcpSeries(@TempDir Path dir) throws Exception {
		this.sample = SampleProcess.start(dir.resolve("sample.log"));
		int actuatorPort = this.sample.actuatorPort();
		int httpPort = this.sample.listenerPort("http");
		int echoPort = this.sample.listenerPort("echo");

		// Traffic for each meter family: TCP HTTP requests (a route and an unrouted path), an
		// echo connection that closes, and Tomcat's own requests.
		assertThat(get(httpPort, "/json?name=prometheus").statusCode()).isEqualTo(200);
		assertThat(get(httpPort, "/no/such/path").statusCode()).isEqualTo(404);
		try (Socket echo = new Socket(InetAddress.getLoopbackAddress(), echoPort)) {
			echo.setSoTimeout(10_000);
			echo.getOutputStream().write('x');
			assertThat(echo.getInputStream().read()).isEqualTo('x');
		}
		assertThat(get(actuatorPort, "/actuator/health").statusCode()).isEqualTo(200);
		HttpResponse<String> scrape = get(actuatorPort, "/actuator/prometheus");
		assertThat(scrape.statusCode()).isEqualTo(200);
		assertThat(scrape.body()).contains("http_server_requests_seconds_count{")
			.contains("tcp_server_http_requests_seconds_count{")
			.doesNotContain("uri=\"/no/such/path\"");

		int prometheusPort = freePort();
		Path config = dir.resolve("prometheus.yml");
		Files.writeString(config, """
				global:
				  scrape_interval: 1s
				scrape_configs:
				  - job_name: sample
				    metrics_path: /actuator/prometheus
				    static_configs:
				      - targets: ['127.0.0.1:%d']
				""".formatted(actuatorPort));
		Path prometheusLog = dir.resolve("prometheus.log");
		this.prometheus = new ProcessBuilder(prometheusBinary(), "--config.file=" + config,
				"--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort)
			.redirectErrorStream(true)
			.redirectOutput(prometheusLog.toFile())
			.start();

		// up == 1: the scrape was fetched and parsed whole (a label-set clash would fail it).
		awaitSeries(prometheusPort, "up{job=\"sample\"} == 1", prometheusLog);
		awaitSeries(prometheusPort,
				"tcp_server_http_requests_seconds_count{listener=\"http\",method=\"GET\",uri=\"/json\",status=\"200\",outcome=\"SUCCESS\"} >= 1",
				prometheusLog);
		awaitSeries(prometheusPort, "tcp_server_http_requests_seconds_count{uri=\"NOT_FOUND\",status=\"404\"} >= 1",
				prometheusLog);
		awaitSeries(prometheusPort, "tcp_server_connections_duration_seconds_count{listener=\"echo\",reason=\"normal\"} >= 1",
				prometheusLog);
		awaitSeries(prometheusPort, "tcp_server_connections_accepted_connections_total{listener=\"echo\"} >= 1",
				prometheusLog);
		awaitSeries(prometheusPort, "http_server_requests_seconds_count{uri=\"/actuator/health\"} >= 1", prometheusLog);
	}

	private static String prometheusBinary() {
		for (String candidate : new String[] { "/usr/bin/prometheus", "/usr/local/bin/prometheus" }) {
			if (Files.isExecutable(Path.of(candidate))) {
				return candidate;
			}
		}
		throw new AssertionError("No prometheus binary: install Debian's 'prometheus' package (scripts/test.sh does)");
	}

	/** Waits until the PromQL query {@code expression} returns at least one series. */
	private void awaitSeries(int port, String expression, Path prometheusLog) {
		String query = "/api/v1/query?query=" + URLEncoder.encode(expression, StandardCharsets.UTF_8);
		SampleProcess.await(DEADLINE, "Prometheus to answer " + expression, () -> {
			if (!this.prometheus.isAlive()) {
				throw new AssertionError("Prometheus exited with " + this.prometheus.exitValue() + ":\n" + SampleProcess.read(prometheusLog));
			}
			try {
				HttpResponse<String> response = get(port, query);
				if (response.statusCode() != 200) {
					return false;
				}
				JsonNode body = this.json.readTree(response.body());
				return body.path("status").asString().equals("success") && !body.at("/data/result").isEmpty();
			}
			catch (UncheckedIOException notListeningYet) {
				return false;
			}
		});
	}

	private HttpResponse<String> get(int port, String path) {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		try {
			return this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	/**
	 * A port free now, for Prometheus' listen address (it cannot report a port 0 choice back);
	 * another process could take it before Prometheus binds, which the start would then report.
	 */
	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
