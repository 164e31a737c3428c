package io.github.tcpserver.protocol.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP handler over real loopback sockets: the JDK's HttpClient, and raw sockets for
 * pipelining, split reads and bad input.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpServerHandlerTests {

	private static final HttpLimits LIMITS = new HttpLimits(256, 512, 1024, 4);

	private final HttpRouter router = new HttpRouter().get("/", (request) -> HttpResponse.text("Hello, world!"))
		.post("/echo", (request) -> HttpResponse.ok().contentType("application/octet-stream").body(request.body()))
		.get("/json", (request) -> HttpResponse.json("{\"path\":\"" + request.path() + "\"}"))
		.get("/stream", (request) -> HttpResponse.chunked(List.of("one,", "", "two,", "three")))
		.get("/boom", (request) -> {
			throw new IllegalStateException("boom (expected by the test)");
		})
		.get("/n", (request) -> HttpResponse.text(request.queryParameter("n")));

	private final HttpServerHandler handler = new HttpServerHandler(this.router, LIMITS);

	private final SelectorServer server = new SelectorServer(ServerConfig.builder().ioThreads(1).build(),
			List.of(new ListenerSpec("http", InetAddress.getLoopbackAddress(), 0, this.handler)));

	private int port() {
		if (!this.server.isRunning()) {
			this.server.start();
		}
		return this.server.port("http");
	}

	@AfterEach
	void stop() {
		this.server.stop(Duration.ZERO);
	}

	@Test
	void theJdkClientGetsResponsesOverOneKeptAliveConnection() throws Exception {
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		URI base = URI.create("http://127.0.0.1:" + port());
		for (int i = 0; i < 3; i++) {
			java.net.http.HttpResponse<String> response = client
				.send(java.net.http.HttpRequest.newBuilder(base.resolve("/")).build(), BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("Hello, world!");
			assertThat(response.headers().firstValue("content-type")).hasValue("text/plain;charset=UTF-8");
			assertThat(response.headers().firstValue("server")).hasValue("tcp-server");
			assertThat(response.headers().firstValue("date")).isPresent();
		}
		java.net.http.HttpResponse<String> posted = client.send(java.net.http.HttpRequest.newBuilder(base.resolve("/echo"))
			.POST(BodyPublishers.ofString("ping"))
			.build(), BodyHandlers.ofString());
		assertThat(posted.body()).isEqualTo("ping");
		java.net.http.HttpResponse<String> streamed = client
			.send(java.net.http.HttpRequest.newBuilder(base.resolve("/stream")).build(), BodyHandlers.ofString());
		assertThat(streamed.body()).isEqualTo("one,two,three");
		assertThat(this.server.listener("http").orElseThrow().acceptedConnections()).isEqualTo(1);
		assertThat(this.handler.requests()).isEqualTo(5);
	}

	@Test
	void theJdkClientsChunkedUploadAndExpectContinueAreAnswered() throws Exception {
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		java.net.http.HttpResponse<String> response = client.send(java.net.http.HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port() + "/echo"))
			.expectContinue(true)
			// An unknown length makes the client send the body chunked.
			.POST(BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream("chunked body".getBytes())))
			.build(), BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("chunked body");
	}

	@Test
	void pipelinedRequestsAreAnsweredInOrderEvenBeyondTheRunOfOneTurn() throws Exception {
		StringBuilder requests = new StringBuilder();
		for (int i = 0; i < 10; i++) { // more than maxPipelinedRequests (4) in one write
			requests.append("GET /n?n=").append(i).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
		}
		try (Socket socket = TestSockets.connect(port())) {
			socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
			InputStream in = socket.getInputStream();
			for (int i = 0; i < 10; i++) {
				assertThat(Raw.read(in).body).isEqualTo(String.valueOf(i));
			}
		}
	}

	@Test
	void pipelinedRequestsFollowedByAHalfCloseAreAllAnsweredBeforeTheClose() throws Exception {
		StringBuilder requests = new StringBuilder();
		for (int i = 0; i < 9; i++) {
			requests.append("GET /n?n=").append(i).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
		}
		try (Socket socket = TestSockets.connect(port())) {
			socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
			socket.shutdownOutput();
			InputStream in = socket.getInputStream();
			for (int i = 0; i < 9; i++) {
				assertThat(Raw.read(in).body).isEqualTo(String.valueOf(i));
			}
			assertThat(in.read()).isEqualTo(-1);
		}
	}

	@Test
	void aRequestSentByteByByteIsAnswered() throws Exception {
		byte[] request = "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
			.getBytes(StandardCharsets.US_ASCII);
		try (Socket socket = TestSockets.connect(port())) {
			OutputStream out = socket.getOutputStream();
			for (byte b : request) {
				out.write(b);
				out.flush(); // TCP_NODELAY: each byte is its own segment, most often its own read
			}
			Raw response = Raw.read(socket.getInputStream());
			assertThat(response.status).isEqualTo(200);
			assertThat(response.body).isEqualTo("hello");
		}
	}

	@Test
	void expectContinueGetsAnInterimResponseBeforeTheBodyIsSent() throws Exception {
		try (Socket socket = TestSockets.connect(port())) {
			OutputStream out = socket.getOutputStream();
			out.write("POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n".getBytes());
			InputStream in = socket.getInputStream();
			Raw interim = Raw.read(in);
			assertThat(interim.status).isEqualTo(100);
			out.write("abc".getBytes());
			assertThat(Raw.read(in).body).isEqualTo("abc");
		}
	}

	@Test
	void headGetsTheHeadersOfGetWithoutTheBody() throws Exception {
		try (Socket socket = TestSockets.connect(port())) {
			socket.getOutputStream().write("HEAD / HTTP/1.1\r\nHost: h\r\n\r\nGET /json HTTP/1.1\r\nHost: h\r\n\r\n".getBytes());
			InputStream in = socket.getInputStream();
			Raw head = Raw.readHead(in);
			assertThat(head.status).isEqualTo(200);
			assertThat(head.headers.get("content-length")).isEqualTo("13");
			Raw json = Raw.read(in); // would be garbled if HEAD had sent a body
			assertThat(json.body).isEqualTo("{\"path\":\"/json\"}");
			assertThat(json.headers.get("content-type")).isEqualTo("application/json");
		}
	}

	@Test
	void connectionCloseAndHttp10AreHonoured() throws Exception {
		try (Socket socket = TestSockets.connect(port())) {
			socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n".getBytes());
			Raw response = Raw.read(socket.getInputStream());
			assertThat(response.headers.get("connection")).isEqualTo("close");
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
		try (Socket socket = TestSockets.connect(port())) {
			socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
			assertThat(Raw.read(socket.getInputStream()).body).isEqualTo("Hello, world!");
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
		try (Socket socket = TestSockets.connect(port())) {
			socket.getOutputStream()
				.write("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
					.getBytes());
			InputStream in = socket.getInputStream();
			assertThat(Raw.read(in).headers.get("connection")).isEqualTo("keep-alive");
			// No chunked coding for HTTP/1.0: the body ends with the connection (RFC 9112 §6.3).
			Raw streamed = Raw.readHead(in);
			assertThat(streamed.headers).doesNotContainKey("transfer-encoding");
			assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("one,two,three");
		}
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "400 | GET / HTTP/1.1\\r\\nBad Header\\r\\n\\r\\n",
			"400 | NOT A REQUEST\\r\\n\\r\\n",
			"400 | POST /echo HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n",
			"400 | POST /echo HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\n",
			"505 | GET / HTTP/2.0\\r\\nHost: h\\r\\n\\r\\n", "414 | GET /LONG HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n",
			"431 | GET / HTTP/1.1\\r\\nHost: h\\r\\nX-Big: BIG\\r\\n\\r\\n",
			"413 | POST /echo HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 2000\\r\\n\\r\\n" })
	void badInputGetsItsStatusAndTheConnectionIsClosed(int status, String request) throws Exception {
		String raw = request.replace("\\r", "\r")
			.replace("\\n", "\n")
			.replace("LONG", "a".repeat(300))
			.replace("BIG", "b".repeat(600));
		try (Socket socket = TestSockets.connect(port())) {
			// A valid request first: its response must come before the error, in order.
			socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: h\r\n\r\n" + raw).getBytes());
			InputStream in = socket.getInputStream();
			assertThat(Raw.read(in).status).isEqualTo(200);
			Raw error = Raw.read(in);
			assertThat(error.status).isEqualTo(status);
			assertThat(error.headers.get("connection")).isEqualTo("close");
			assertThat(in.read()).as("closed after the error").isEqualTo(-1);
		}
		assertThat(this.handler.rejected()).isEqualTo(1);
		assertThat(this.handler.limitsExceeded()).isEqualTo((status == 413 || status == 414 || status == 431) ? 1 : 0);
	}

	@Test
	void unknownRoutesAndWrongMethodsKeepTheConnection() throws Exception {
		try (Socket socket = TestSockets.connect(port())) {
			socket.getOutputStream()
				.write("GET /nowhere HTTP/1.1\r\nHost: h\r\n\r\nDELETE / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"
					.getBytes());
			InputStream in = socket.getInputStream();
			assertThat(Raw.read(in).status).isEqualTo(404);
			Raw notAllowed = Raw.read(in);
			assertThat(notAllowed.status).isEqualTo(405);
			assertThat(notAllowed.headers.get("allow")).isEqualTo("GET, HEAD");
			assertThat(Raw.read(in).status).isEqualTo(200);
		}
	}

	@Test
	void aHandlerThatThrowsGets500AndTheServerCarriesOn() throws Exception {
		int port = port();
		try (Socket failing = TestSockets.connect(port); Socket other = TestSockets.connect(port)) {
			failing.getOutputStream().write("GET /boom HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n".getBytes());
			assertThat(Raw.read(failing.getInputStream()).status).isEqualTo(500);
			assertThat(Raw.read(failing.getInputStream()).status).as("same connection still in sync").isEqualTo(200);
			other.getOutputStream().write("GET / HTTP/1.1\r\nHost: h\r\n\r\n".getBytes());
			assertThat(Raw.read(other.getInputStream()).status).isEqualTo(200);
		}
		assertThat(this.handler.handlerFailures()).isEqualTo(1);
	}

	@Test
	void manyConcurrentKeepAliveClientsAreAllAnswered() throws Exception {
		int port = port();
		List<CompletableFuture<Integer>> clients = new ArrayList<>();
		for (int c = 0; c < 20; c++) {
			clients.add(CompletableFuture.supplyAsync(() -> {
				try (Socket socket = TestSockets.connect(port)) {
					int ok = 0;
					for (int i = 0; i < 50; i++) {
						socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: h\r\n\r\n".getBytes());
						ok += (Raw.read(socket.getInputStream()).status == 200) ? 1 : 0;
					}
					return ok;
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			}));
		}
		for (CompletableFuture<Integer> client : clients) {
			assertThat(client.get(30, TimeUnit.SECONDS)).isEqualTo(50);
		}
	}

	/** One response read from a raw socket: status, lower-cased header names, body. */
	private static final class Raw {

		int status;

		final Map<String, String> headers = new LinkedHashMap<>();

		String body = "";

		static Raw readHead(InputStream in) throws IOException {
			Raw raw = new Raw();
			String statusLine = line(in);
			assertThat(statusLine).startsWith("HTTP/1.1 ");
			raw.status = Integer.parseInt(statusLine.substring(9, 12));
			for (String line = line(in); !line.isEmpty(); line = line(in)) {
				int colon = line.indexOf(':');
				raw.headers.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
			}
			return raw;
		}

		static Raw read(InputStream in) throws IOException {
			Raw raw = readHead(in);
			if (raw.status == 100) {
				return raw;
			}
			assertThat(raw.headers).containsKeys("date", "server");
			if ("chunked".equals(raw.headers.get("transfer-encoding"))) {
				ByteArrayOutputStream body = new ByteArrayOutputStream();
				for (int size = Integer.parseInt(line(in), 16); size > 0; size = Integer.parseInt(line(in), 16)) {
					body.write(TestSockets.readFully(in, size));
					assertThat(line(in)).isEmpty();
				}
				assertThat(line(in)).isEmpty();
				raw.body = body.toString(StandardCharsets.UTF_8);
			}
			else {
				int length = Integer.parseInt(raw.headers.get("content-length"));
				raw.body = new String(TestSockets.readFully(in, length), StandardCharsets.UTF_8);
			}
			return raw;
		}

		private static String line(InputStream in) throws IOException {
			StringBuilder line = new StringBuilder();
			for (int b = in.read(); b != '\n'; b = in.read()) {
				if (b < 0) {
					throw new IOException("Connection closed in a response line: " + line);
				}
				line.append((char) b);
			}
			assertThat(line).endsWith("\r");
			return line.substring(0, line.length() - 1);
		}

	}

}
