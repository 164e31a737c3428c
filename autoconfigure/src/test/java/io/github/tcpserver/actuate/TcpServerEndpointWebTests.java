package io.github.tcpserver.actuate;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;

import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.test.DownloadHandler;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads {@code /actuator/tcpserver} over real HTTP while real TCP clients are connected: a client
 * that asked for more than the socket buffers hold and does not read shows queued output; DELETE
 * closes the connection it names and no other.
 */
@SpringBootTest(classes = TcpServerEndpointWebTests.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "tcp.server.port=0", "tcp.server.address=127.0.0.1",
				"tcp.server.io-threads=1", "tcp.server.send-buffer-size=32KB", "tcp.server.shutdown=immediate",
				"management.endpoints.web.exposure.include=tcpserver,health,metrics",
				"management.endpoint.health.show-details=always" })
class TcpServerEndpointWebTests {

	private static final int DOWNLOAD = 3_000_000;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final JsonMapper json = JsonMapper.builder().build();

	@Value("${local.server.port}")
	int httpPort;

	@Value("${local.tcp.server.port.echo}")
	int echoPort;

	@Value("${local.tcp.server.port.download}")
	int downloadPort;

	@Test
	void theEndpointShowsQueuesAndByteCountsOfLiveClientsAndDeleteClosesTheRightOne() throws Exception {
		try (Socket slow = new Socket(); Socket echo = TestSockets.connect(this.echoPort)) {
			// A small receive window and no reads: most of the reply must wait in the server's queue.
			slow.setReceiveBufferSize(32 * 1024);
			slow.connect(new InetSocketAddress("127.0.0.1", this.downloadPort), 5000);
			slow.setSoTimeout(30_000);
			slow.getOutputStream().write((DOWNLOAD + "\n").getBytes(StandardCharsets.US_ASCII));
			echo.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
			assertThat(TestSockets.readFully(echo.getInputStream(), 5)).asString().isEqualTo("hello");

			JsonNode[] server = new JsonNode[1];
			TestSockets.await(Duration.ofSeconds(15), "the download to stall with its reply queued", () -> {
				server[0] = get("/actuator/tcpserver?sort=queued");
				JsonNode first = server[0].at("/connections/items/0");
				return first.path("queuedBytes").asLong() > 0
						&& first.path("bytesSent").asLong() + first.path("queuedBytes").asLong() == DOWNLOAD;
			});
			JsonNode body = server[0];
			assertThat(body.path("state").asString()).isEqualTo("RUNNING");
			assertThat(body.at("/connections/total").asInt()).isEqualTo(2);
			assertThat(body.at("/connections/sort").asString()).isEqualTo("queued");
			assertThat(body.at("/totals/activeConnections").asInt()).isEqualTo(2);
			assertThat(body.at("/totals/bytesReceived").asLong()).isEqualTo(5 + 8);

			JsonNode download = body.at("/connections/items/0");
			assertThat(download.path("listener").asString()).isEqualTo("download");
			assertThat(download.path("bytesReceived").asLong()).isEqualTo(8);
			assertThat(download.path("queuedMessages").asInt()).isPositive();
			assertThat(download.path("remoteAddress").asString()).isEqualTo("127.0.0.1:" + slow.getLocalPort());
			JsonNode echoed = body.at("/connections/items/1");
			assertThat(echoed.path("listener").asString()).isEqualTo("echo");
			assertThat(echoed.path("remoteAddress").asString()).isEqualTo("127.0.0.1:" + echo.getLocalPort());
			assertThat(echoed.path("bytesReceived").asLong()).isEqualTo(5);
			assertThat(echoed.path("bytesSent").asLong()).isEqualTo(5);
			assertThat(echoed.path("queuedBytes").asLong()).isZero();

			Map<String, JsonNode> listeners = Map.of(body.at("/listeners/0/name").asString(), body.at("/listeners/0"),
					body.at("/listeners/1/name").asString(), body.at("/listeners/1"));
			assertThat(listeners.get("download").path("port").asInt()).isEqualTo(this.downloadPort);
			assertThat(listeners.get("download").path("handler").asString()).isEqualTo(DownloadHandler.class.getName());
			assertThat(listeners.get("download").path("queuedBytes").asLong())
				.isEqualTo(download.path("queuedBytes").asLong());
			assertThat(listeners.get("echo").path("bound").asBoolean()).isTrue();

			// Bounded page, but the total still counts every connection.
			JsonNode page = get("/actuator/tcpserver?limit=1&sort=id");
			assertThat(page.at("/connections/items")).hasSize(1);
			assertThat(page.at("/connections/total").asInt()).isEqualTo(2);
			// The echo client connected first (the download socket connects inside the block).
			assertThat(page.at("/connections/items/0/id").asLong()).isEqualTo(echoed.path("id").asLong());
			assertThat(send("GET", "/actuator/tcpserver?sort=bogus").statusCode()).isEqualTo(400);

			long echoId = echoed.path("id").asLong();
			assertThat(get("/actuator/tcpserver/" + echoId).path("bytesReceived").asLong()).isEqualTo(5);
			assertThat(send("GET", "/actuator/tcpserver/999999").statusCode()).isEqualTo(404);

			assertThat(get("/actuator/health/tcpServer").path("status").asString()).isEqualTo("UP");
			assertThat(get("/actuator/metrics/tcp.server.outbound.queued?tag=listener:download")
				.at("/measurements/0/value").asDouble()).isPositive();

			HttpResponse<String> deleted = send("DELETE", "/actuator/tcpserver/" + echoId);
			assertThat(deleted.statusCode()).isEqualTo(200);
			assertThat(json.readTree(deleted.body()).path("listener").asString()).isEqualTo("echo");
			assertThat(echo.getInputStream().read()).as("the echo client sees its connection closed").isEqualTo(-1);
			assertThat(send("DELETE", "/actuator/tcpserver/" + echoId).statusCode()).isEqualTo(404);
			JsonNode after = get("/actuator/tcpserver");
			assertThat(after.at("/connections/total").asInt()).isEqualTo(1);
			assertThat(after.at("/connections/items/0/id").asLong()).isEqualTo(download.path("id").asLong());

			// The download client was left alone: it still gets every byte.
			InputStream in = slow.getInputStream();
			assertThat(TestSockets.readFully(in, DOWNLOAD)).isEqualTo(DownloadHandler.expected(DOWNLOAD));
			TestSockets.await(Duration.ofSeconds(10), "the queue to be empty",
					() -> get("/actuator/tcpserver").at("/connections/items/0/queuedBytes").asLong() == 0);
			assertThat(get("/actuator/tcpserver").at("/connections/items/0/bytesSent").asLong()).isEqualTo(DOWNLOAD);
		}
	}

	private JsonNode get(String path) {
		HttpResponse<String> response = send("GET", path);
		assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
		return this.json.readTree(response.body());
	}

	private HttpResponse<String> send(String method, String path) {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.httpPort + path))
			.timeout(Duration.ofSeconds(10))
			.method(method, HttpRequest.BodyPublishers.noBody())
			.build();
		try {
			return this.http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new AssertionError(method + " " + path + " failed", ex);
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		@SocketHandler
		EchoHandler echo() {
			return new EchoHandler();
		}

		@Bean
		@SocketHandler(port = "0")
		DownloadHandler download() {
			return new DownloadHandler();
		}

	}

}
