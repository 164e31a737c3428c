package io.github.tcpserver.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample behind real load balancers on loopback, every listener expecting the PROXY protocol
 * ({@code tcp.server.proxy-protocol.mode=any}, only 127.0.0.1 trusted): HAProxy with
 * {@code send-proxy} and {@code send-proxy-v2}, HAProxy passing TLS through, nginx {@code stream}
 * and {@code curl --haproxy-protocol}. Each checks that the handler ({@code /whoami}, the chat
 * greeting) and the Actuator endpoint show the client's own address and port, which the balancer
 * saw: the test socket's local port.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ProxyProtocolIT {

	@TempDir
	static Path dir;

	private static SampleProcess sample;

	private final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newHttpClient();

	@BeforeAll
	static void startSample() throws IOException {
		sample = SampleProcess.start(dir.resolve("sample.log"), "-Dtcp.server.proxy-protocol.mode=any",
				"-Dtcp.server.proxy-protocol.trusted-proxies=127.0.0.1/32");
		assertThat(sample.startupLog()).contains("PROXY protocol any from [127.0.0.1/32]");
	}

	@AfterAll
	static void stopSample() throws InterruptedException {
		if (sample != null) {
			sample.close();
		}
	}

	@Test
	void haproxySendProxyV1InFrontOfEchoAndChatShowsTheClientsPort() throws Exception {
		try (Balancer echo = Balancer.haproxy(dir, sample.listenerPort("echo"), "send-proxy");
				Socket client = new Socket("127.0.0.1", echo.port())) {
			client.setSoTimeout(10_000);
			client.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
			BufferedReader in = reader(client);
			assertThat(in.readLine()).isEqualTo("hello");
			JsonNode connection = awaitConnection("echo", client.getLocalPort());
			assertThat(connection.path("proxyAddress").asString()).startsWith("127.0.0.1:")
				.isNotEqualTo("127.0.0.1:" + client.getLocalPort());
			assertThat(connection.at("/proxy/version").asInt()).isEqualTo(1);
		}
		try (Balancer chat = Balancer.haproxy(dir, sample.listenerPort("chat"), "send-proxy");
				Socket client = new Socket("127.0.0.1", chat.port())) {
			assertThat(chatGreeting(client, "alice")).isEqualTo("* Welcome, alice! You are connected from 127.0.0.1:"
					+ client.getLocalPort() + ". /help lists the commands");
			awaitConnection("chat", client.getLocalPort());
		}
	}

	@Test
	void haproxySendProxyV2WithUniqueIdInFrontOfHttpAndChat() throws Exception {
		try (Balancer balancer = Balancer.haproxy(dir, sample.listenerPort("http"),
				"send-proxy-v2 proxy-v2-options unique-id,authority", "unique-id-format proxy-%ci:%cp");
				Socket client = new Socket("127.0.0.1", balancer.port())) {
			client.setSoTimeout(10_000);
			client.getOutputStream()
				.write("GET /whoami HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			JsonNode whoami = json.readTree(httpBody(reader(client)));
			assertThat(whoami.path("address").asString()).isEqualTo("127.0.0.1");
			assertThat(whoami.path("port").asInt()).isEqualTo(client.getLocalPort());
			assertThat(whoami.path("proxy").asString()).startsWith("127.0.0.1:");
			JsonNode connection = awaitConnection("http", client.getLocalPort());
			assertThat(connection.at("/proxy/version").asInt()).isEqualTo(2);
			assertThat(connection.at("/proxy/uniqueId").asString()).isEqualTo("proxy-127.0.0.1:" + client.getLocalPort());
		}
		try (Balancer chat = Balancer.haproxy(dir, sample.listenerPort("chat"), "send-proxy-v2");
				Socket client = new Socket("127.0.0.1", chat.port())) {
			assertThat(chatGreeting(client, "bob")).contains("connected from 127.0.0.1:" + client.getLocalPort() + ".");
		}
	}

	@Test
	void haproxyPassesTlsThroughAfterAV2HeaderToTheTlsListener() throws Exception {
		try (Balancer balancer = Balancer.haproxy(dir, sample.listenerPort("echoTls"), "send-proxy-v2");
				Socket plain = new Socket("127.0.0.1", balancer.port())) {
			SSLSocket tls = (SSLSocket) TlsSampleTests.context(false)
				.getSocketFactory()
				.createSocket(plain, "localhost", balancer.port(), true);
			tls.setSoTimeout(10_000);
			tls.startHandshake();
			tls.getOutputStream().write("over tls\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(reader(tls).readLine()).isEqualTo("over tls");
			JsonNode connection = awaitConnection("echoTls", plain.getLocalPort());
			assertThat(connection.at("/tls/protocol").asString()).startsWith("TLSv1.");
			assertThat(connection.at("/proxy/version").asInt()).isEqualTo(2);
		}
	}

	@Test
	void haproxyHealthChecksArriveAsLocalHeaders() throws Exception {
		long before = localHeaders("echo");
		try (Balancer balancer = Balancer.haproxy(dir, sample.listenerPort("echo"),
				"send-proxy-v2 check check-send-proxy inter 200ms")) {
			SampleProcess.await(Duration.ofSeconds(20), "HAProxy's health checks as LOCAL headers",
					() -> localHeaders("echo") >= before + 2);
		}
	}

	@Test
	void nginxStreamWithProxyProtocolInFrontOfChatAndHttp() throws Exception {
		try (Balancer nginx = Balancer.nginx(dir, sample.listenerPort("chat"));
				Socket client = new Socket("127.0.0.1", nginx.port())) {
			assertThat(chatGreeting(client, "carol")).contains("connected from 127.0.0.1:" + client.getLocalPort() + ".");
			JsonNode connection = awaitConnection("chat", client.getLocalPort());
			assertThat(connection.at("/proxy/version").asInt()).isEqualTo(1);
		}
		try (Balancer nginx = Balancer.nginx(dir, sample.listenerPort("http"));
				Socket client = new Socket("127.0.0.1", nginx.port())) {
			client.setSoTimeout(10_000);
			client.getOutputStream()
				.write("GET /whoami HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			JsonNode whoami = json.readTree(httpBody(reader(client)));
			assertThat(whoami.path("port").asInt()).isEqualTo(client.getLocalPort());
			assertThat(whoami.path("proxy").asString()).startsWith("127.0.0.1:");
		}
	}

	@Test
	void curlHaproxyProtocolReachesWhoamiDirectly() throws Exception {
		String curl = Balancer.requireBinary("curl");
		Process process = new ProcessBuilder(curl, "-s", "--max-time", "10", "--haproxy-protocol",
				"http://127.0.0.1:" + sample.listenerPort("http") + "/whoami").redirectErrorStream(true).start();
		String body = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(body).isZero();
		JsonNode whoami = json.readTree(body);
		// curl is its own proxy: the header names the very socket it connects from.
		assertThat(whoami.path("proxy").asString()).isEqualTo("127.0.0.1:" + whoami.path("port").asInt());
	}

	@Test
	void aClientWithoutHeaderIsClosedAndCountedWhileTheListenerServesOthers() throws Exception {
		long before = refused("http", "malformed");
		try (Socket direct = new Socket("127.0.0.1", sample.listenerPort("http"))) {
			direct.setSoTimeout(10_000);
			direct.getOutputStream().write("GET /whoami HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(direct.getInputStream().read()).isEqualTo(-1);
		}
		SampleProcess.await(Duration.ofSeconds(10), "the refusal counted", () -> refused("http", "malformed") == before + 1);
		assertThat(get("/actuator/prometheus")).containsPattern(
				"tcp_server_proxy_headers_total\\{listener=\"http\",outcome=\"refused\",port=\"\\d+\",reason=\"malformed\"} [1-9]");
	}

	// ---------------------------------------------------------------- helpers

	private static String chatGreeting(Socket client, String name) throws IOException {
		client.setSoTimeout(10_000);
		BufferedReader in = reader(client);
		assertThat(in.readLine()).startsWith("* Welcome to the chat!");
		client.getOutputStream().write(("NAME: " + name + "\n").getBytes(StandardCharsets.UTF_8));
		for (String line = in.readLine(); line != null; line = in.readLine()) {
			if (line.startsWith("* Welcome, " + name)) {
				return line;
			}
		}
		throw new AssertionError("no welcome for " + name);
	}

	/** @return the Actuator's entry of the connection from 127.0.0.1:{@code clientPort}, once listed */
	private JsonNode awaitConnection(String listener, int clientPort) {
		JsonNode[] found = new JsonNode[1];
		SampleProcess.await(Duration.ofSeconds(10), "connection from port " + clientPort + " on " + listener, () -> {
			for (JsonNode item : readJson("/actuator/tcpserver?limit=500").at("/connections/items")) {
				if (item.path("listener").asString().equals(listener)
						&& item.path("remoteAddress").asString().equals("127.0.0.1:" + clientPort)) {
					found[0] = item;
					return true;
				}
			}
			return false;
		});
		return found[0];
	}

	private long localHeaders(String listener) {
		return listenerNode(listener).at("/proxyProtocol/localHeaders").asLong();
	}

	private long refused(String listener, String reason) {
		return listenerNode(listener).at("/proxyProtocol/headersRefused/" + reason).asLong();
	}

	private JsonNode listenerNode(String name) {
		for (JsonNode listener : readJson("/actuator/tcpserver").path("listeners")) {
			if (listener.path("name").asString().equals(name)) {
				return listener;
			}
		}
		throw new AssertionError("no listener " + name);
	}

	private JsonNode readJson(String path) {
		return this.json.readTree(get(path));
	}

	private String get(String path) {
		try {
			return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sample.actuatorPort() + path))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString()).body();
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static BufferedReader reader(Socket socket) throws IOException {
		return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
	}

	/** Reads one HTTP/1.1 response with a Content-Length and returns its body. */
	private static String httpBody(BufferedReader in) throws IOException {
		assertThat(in.readLine()).startsWith("HTTP/1.1 200");
		int length = -1;
		for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
			if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
				length = Integer.parseInt(line.substring(15).trim());
			}
		}
		char[] body = new char[length];
		int read = 0;
		while (read < length) {
			read += in.read(body, read, length - read);
		}
		return new String(body);
	}

}
