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
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

	private Process sample;

	private Process prometheus;

	@AfterEach
	void stop() throws InterruptedException {
		for (Process process : new Process[] { this.prometheus, this.sample }) {
			if (process != null && process.isAlive()) {
				process.destroy();
				if (!process.waitFor(20, TimeUnit.SECONDS)) {
					process.destroyForcibly();
				}
			}
		}
	}

	@Test
	void prometheusScrapesTheSampleAndAnswersQueriesForTheTcpSeries(@TempDir Path dir) throws Exception {
		Path sampleLog = dir.resolve("sample.log");
		this.sample = startSample(sampleLog);
		String started = awaitLog(this.sample, sampleLog, "Started SampleApplication");
		int actuatorPort = group(started, "Tomcat started on port (\\d+)");
		int httpPort = group(started, "'http' on 127\\.0\\.0\\.1:(\\d+)");
		int echoPort = group(started, "'echo' on 127\\.0\\.0\\.1:(\\d+)");

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

	private Process startSample(Path log) throws IOException {
		Path jar = Paths.get(System.getProperty("sample.jar", "target/tcp-server-sample-app.jar"));
		assertThat(jar).exists();
		String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
		return new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(), "--server.port=0",
				"--server.address=127.0.0.1", "--tcp.server.port=0", "--tcp.server.address=127.0.0.1",
				"--sample.download.port=0", "--http.port=0", "--chat.port=0", "--chat.framed-port=0")
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
	}

	private static String prometheusBinary() {
		for (String candidate : new String[] { "/usr/bin/prometheus", "/usr/local/bin/prometheus" }) {
			if (Files.isExecutable(Paths.get(candidate))) {
				return candidate;
			}
		}
		throw new AssertionError("No prometheus binary: install Debian's 'prometheus' package (scripts/test.sh does)");
	}

	/** Waits until the PromQL query {@code expression} returns at least one series. */
	private void awaitSeries(int port, String expression, Path prometheusLog) {
		String query = "/api/v1/query?query=" + URLEncoder.encode(expression, StandardCharsets.UTF_8);
		await(DEADLINE, "Prometheus to answer " + expression, () -> {
			if (!this.prometheus.isAlive()) {
				throw new AssertionError("Prometheus exited with " + this.prometheus.exitValue() + ":\n" + read(prometheusLog));
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

	private static String awaitLog(Process process, Path log, String line) {
		String[] output = new String[1];
		await(DEADLINE, "'" + line + "' in the log", () -> {
			output[0] = read(log);
			if (!process.isAlive() && !output[0].contains(line)) {
				throw new AssertionError("The sample app exited with " + process.exitValue() + ":\n" + output[0]);
			}
			return output[0].contains(line);
		});
		return output[0];
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static int group(String text, String regex) {
		Matcher matcher = Pattern.compile(regex).matcher(text);
		assertThat(matcher.find()).as("%s in:%n%s", regex, text).isTrue();
		return Integer.parseInt(matcher.group(1));
	}

	private static void await(Duration timeout, String what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting for " + what);
			}
			// Poll interval of a deadline wait, not a timing assumption.
			LockSupport.parkNanos(100_000_000);
		}
	}

}
