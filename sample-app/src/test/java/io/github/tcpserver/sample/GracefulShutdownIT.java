package io.github.tcpserver.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Starts the packaged sample application with {@code java -jar}, leaves large download replies
 * queued for clients that have not read yet, sends the process SIGINT (Ctrl-C), and checks that the server
 * stopped accepting, delivered every owed byte before closing each socket, and exited in time.
 * <p>
 * "Every byte" is exact here: each client's request (a byte count and a newline) has been read by
 * the server before the signal (the endpoint shows it received, and the streamed reply under way
 * with output queued), so the whole reply is owed, and each client must read exactly
 * that many bytes, in order, followed by end of stream.
 */
class GracefulShutdownIT {

	private static final int CLIENTS = 4;

	private static final int REPLY = 6_000_000;

	private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final JsonMapper json = JsonMapper.builder().build();

	private final ExecutorService readers = Executors.newFixedThreadPool(CLIENTS);

	private Process process;

	@AfterEach
	void cleanUp() {
		this.readers.shutdownNow();
		if (this.process != null && this.process.isAlive()) {
			this.process.destroyForcibly();
		}
	}

	@Test
	void sigintDrainsQueuedRepliesToTheLastByteThenExits(@TempDir Path dir) throws Exception {
		Path log = dir.resolve("sample.log");
		this.process = start(log);
		String started = awaitLog(log, Duration.ofSeconds(60), "Started SampleApplication");
		int httpPort = group(started, "Tomcat started on port (\\d+)");
		int downloadPort = group(started, "'download' on 127\\.0\\.0\\.1:(\\d+)");

		List<Socket> clients = new ArrayList<>();
		try {
			for (int i = 0; i < CLIENTS; i++) {
				Socket client = new Socket();
				// A small window and no reads yet: most of each reply waits in the server's queue.
				client.setReceiveBufferSize(32 * 1024);
				client.connect(new InetSocketAddress("127.0.0.1", downloadPort), 5000);
				client.setSoTimeout(30_000);
				client.getOutputStream().write((REPLY + "\n").getBytes(StandardCharsets.US_ASCII));
				clients.add(client);
			}
			await(Duration.ofSeconds(20), "every reply to be queued", () -> {
				JsonNode items = get(httpPort, "/actuator/tcpserver?sort=queued").at("/connections/items");
				int stalled = 0;
				for (JsonNode item : items) {
					// The request was read (so the whole reply is owed) and the streamed reply is
					// under way and waiting for the client.
					if (item.path("listener").asString().equals("download") && item.path("queuedBytes").asLong() > 0
							&& item.path("bytesReceived").asLong() == (REPLY + "\n").length()
							&& item.path("bytesSent").asLong() < REPLY) {
						stalled++;
					}
				}
				return stalled == CLIENTS;
			});

			long signalled = System.nanoTime();
			assertThat(sigintIgnored(this.process.pid())).as("SIGINT ignored by the sample app").isFalse();
			Process kill = new ProcessBuilder("kill", "-INT", Long.toString(this.process.pid())).inheritIO().start();
			assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -INT sent").isTrue();
			awaitLog(log, Duration.ofSeconds(20), "TCP server stopping: no longer accepting; draining " + CLIENTS);
			assertThatExceptionOfType(ConnectException.class).as("a new connection after the stop began")
				.isThrownBy(() -> new Socket("127.0.0.1", downloadPort).close());

			List<Future<byte[]>> replies = new ArrayList<>();
			for (Socket client : clients) {
				replies.add(this.readers.submit(() -> readToEnd(client.getInputStream())));
			}
			byte[] expected = DownloadHandler.reply(REPLY);
			for (int i = 0; i < CLIENTS; i++) {
				// readToEnd returns at end of stream: exactly the reply, then the server's close.
				assertThat(replies.get(i).get(DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("client %d", i)
					.isEqualTo(expected);
			}
			assertThat(this.process.waitFor(DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("process exited").isTrue();
			assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(DRAIN_TIMEOUT);
			String output = Files.readString(log);
			assertThat(output).contains("TCP server stopped in")
				.contains(CLIENTS + " connection(s) drained and closed")
				.doesNotContain("closed forcibly");
		}
		finally {
			for (Socket client : clients) {
				client.close();
			}
		}
	}

	private Process start(Path log) throws IOException {
		Path jar = Paths.get(System.getProperty("sample.jar", "target/tcp-server-sample-app.jar"));
		assertThat(jar).exists();
		String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
		// A background job of a non-interactive shell (a CI runner, nohup) inherits SIGINT as
		// ignored, and so would this child: the JVM then installs no handler and Ctrl-C does
		// nothing. env restores the default so the JVM sees SIGINT wherever the build runs.
		return new ProcessBuilder("env", "--default-signal=INT", java, "-Xmx256m", "-jar", jar.toString(), "--server.port=0",
				"--server.address=127.0.0.1", "--tcp.server.port=0", "--tcp.server.address=127.0.0.1",
				"--sample.download.port=0", "--http.port=0", "--chat.port=0", "--chat.framed-port=0",
				"--sample.tls.echo-port=0", "--sample.tls.https-port=0", "--sample.tls.chat-port=0",
				"--sample.tls.mutual-port=0", "--tcp.server.http.max-body-size=8MB",
				// The HTTPS client deliberately reads nothing until the stop began, which the minimum
				// response rate exists to cut (after 5 s): off here, this test is about the drain.
				"--tcp.server.http.min-response-rate=0",
				"--spring.lifecycle.timeout-per-shutdown-phase=" + DRAIN_TIMEOUT.toSeconds() + "s")
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
	}

	/**
	 * Whether the process ignores SIGINT (bit 2 of SigIgn in /proc), which {@link #start(Path)}
	 * prevents; checked so that a regression fails with that reason, not as a drain timeout.
	 */
	/**
	 * The same over TLS: an HTTPS echo of {@value #REPLY} bytes left queued for a client that has
	 * not read yet; after SIGINT it must get the whole response, then a close_notify, then the end
	 * of stream.
	 */
	@Test
	void sigintDrainsAQueuedHttpsReplyThenSendsCloseNotify(@TempDir Path dir) throws Exception {
		Path log = dir.resolve("sample.log");
		this.process = start(log);
		String started = awaitLog(log, Duration.ofSeconds(60), "Started SampleApplication");
		int httpPort = group(started, "Tomcat started on port (\\d+)");
		int httpsPort = group(started, "'https' on 127\\.0\\.0\\.1:(\\d+)");
		byte[] body = new byte[REPLY];
		new java.util.Random(19).nextBytes(body);
		try (Socket socket = new Socket()) {
			socket.setReceiveBufferSize(32 * 1024);
			socket.connect(new InetSocketAddress("127.0.0.1", httpsPort), 5000);
			socket.setSoTimeout(30_000);
			TlsWireClient client = new TlsWireClient(sampleCa(), "localhost");
			client.handshake(socket);
			client.send(socket, ("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
					+ "Content-Length: " + REPLY + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			client.send(socket, body);
			await(Duration.ofSeconds(20), "the response to be queued", () -> {
				for (JsonNode item : get(httpPort, "/actuator/tcpserver?sort=queued").at("/connections/items")) {
					if (item.path("listener").asString().equals("https") && item.path("queuedBytes").asLong() > 0
							&& item.path("bytesReceived").asLong() > REPLY) {
						return true;
					}
				}
				return false;
			});
			Process kill = new ProcessBuilder("kill", "-INT", Long.toString(this.process.pid())).inheritIO().start();
			assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -INT sent").isTrue();
			awaitLog(log, Duration.ofSeconds(20), "TCP server stopping: no longer accepting; draining 1");
			Future<Boolean> closeNotify = this.readers.submit(() -> client.readToEnd(socket));
			assertThat(closeNotify.get(DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("close_notify before the end")
				.isTrue();
			byte[] response = client.received();
			String text = new String(response, StandardCharsets.ISO_8859_1);
			int headerEnd = text.indexOf("\r\n\r\n") + 4;
			assertThat(text).startsWith("HTTP/1.1 200");
			assertThat(java.util.Arrays.copyOfRange(response, headerEnd, response.length)).isEqualTo(body);
		}
		assertThat(this.process.waitFor(DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("process exited").isTrue();
		assertThat(Files.readString(log)).contains("1 connection(s) drained and closed").doesNotContain("closed forcibly");
	}

	/** @return a client context that trusts the sample's development CA */
	private static javax.net.ssl.SSLContext sampleCa() throws Exception {
		java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
		trust.load(null, null);
		try (InputStream in = GracefulShutdownIT.class.getResourceAsStream("/tls/sample-ca.crt")) {
			trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
		}
		javax.net.ssl.TrustManagerFactory trustManagers = javax.net.ssl.TrustManagerFactory
			.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
		trustManagers.init(trust);
		javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
		context.init(null, trustManagers.getTrustManagers(), null);
		return context;
	}

	private static boolean sigintIgnored(long pid) {
		try {
			for (String line : Files.readAllLines(Paths.get("/proc", Long.toString(pid), "status"))) {
				if (line.startsWith("SigIgn:")) {
					return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (2 - 1))) != 0;
				}
			}
		}
		catch (IOException | NumberFormatException ex) {
			// No /proc (not Linux): nothing to check; the signal is sent all the same.
		}
		return false;
	}

	private static byte[] readToEnd(InputStream in) throws IOException {
		return in.readAllBytes();
	}

	private String awaitLog(Path log, Duration timeout, String line) {
		String[] output = new String[1];
		await(timeout, "'" + line + "' in the log", () -> {
			try {
				output[0] = Files.readString(log);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			if (!this.process.isAlive() && !output[0].contains(line)) {
				throw new AssertionError("The sample app exited with " + this.process.exitValue() + ":\n" + output[0]);
			}
			return output[0].contains(line);
		});
		return output[0];
	}

	private static int group(String text, String regex) {
		Matcher matcher = Pattern.compile(regex).matcher(text);
		assertThat(matcher.find()).as("%s in:%n%s", regex, text).isTrue();
		return Integer.parseInt(matcher.group(1));
	}

	private JsonNode get(int port, String path) {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		try {
			HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			return this.json.readTree(response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	private static void await(Duration timeout, String what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting for " + what);
			}
			// Poll interval of a deadline wait, not a timing assumption.
			LockSupport.parkNanos(20_000_000);
		}
	}

}
