package io.github.tcpserver.sample.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's streaming and asynchronous routes with real clients: the JDK HttpClient and curl
 * download {@code /bytes} bodies larger than the server's queue bound, and {@code /delay}
 * answers many clients at once after the delay.
 */
@SpringBootTest(properties = { "tcp.server.port=0", "http.port=0", "chat.port=0", "chat.framed-port=0",
		"sample.download.port=0", "sample.tls.echo-port=0", "sample.tls.https-port=0",
		"sample.tls.chat-port=0", "sample.tls.mutual-port=0" })
class HttpStreamingSampleTests {

	@Value("${local.tcp.server.port.http}")
	int port;

	private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	@Test
	void theJdkClientDownloadsSixtyFourMebibytesWholeWithTheirLength() throws Exception {
		long n = 64L * 1024 * 1024; // four times tcp.server.max-queued-output
		HttpResponse<InputStream> response = this.client.send(HttpRequest.newBuilder(uri("/bytes?n=" + n)).build(),
				BodyHandlers.ofInputStream());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(n);
		try (InputStream body = response.body()) {
			byte[] buffer = new byte[64 * 1024];
			long offset = 0;
			for (int read = body.read(buffer); read > 0; read = body.read(buffer)) {
				for (int i = 0; i < read; i += 997) {
					assertThat(buffer[i]).as("byte %d", offset + i).isEqualTo(GeneratedBytes.at(offset + i));
				}
				offset += read;
			}
			assertThat(offset).isEqualTo(n);
		}
	}

	@Test
	void curlDownloadsAHundredMegabytesAndAHeadRequestGetsTheLengthOnly() throws Exception {
		String out = run("curl", "-sS", "--max-time", "60", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
				uri("/bytes?n=100000000").toString());
		assertThat(out).isEqualTo("200 100000000");
		String head = run("curl", "-sS", "--max-time", "20", "-I", uri("/bytes?n=123456").toString());
		assertThat(head).startsWith("HTTP/1.1 200").contains("Content-Length: 123456");
	}

	@Test
	void fiftyDelayedRequestsAreAnsweredTogetherAfterTheirDelay() throws Exception {
		long started = System.nanoTime();
		List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			responses.add(this.client.sendAsync(HttpRequest.newBuilder(uri("/delay?ms=300")).build(), BodyHandlers.ofString()));
		}
		for (CompletableFuture<HttpResponse<String>> response : responses) {
			assertThat(response.get(10, TimeUnit.SECONDS).body()).isEqualTo("Waited 300 ms");
		}
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300)).isLessThan(Duration.ofSeconds(5));
		String curl = run("curl", "-sS", "--max-time", "20", uri("/delay?ms=50").toString());
		assertThat(curl).isEqualTo("Waited 50 ms");
	}

	@Test
	void outOfRangeParametersAreAnswered400() throws Exception {
		assertThat(this.client.send(HttpRequest.newBuilder(uri("/bytes?n=" + (2L << 30))).build(), BodyHandlers.discarding())
			.statusCode()).isEqualTo(400);
		assertThat(this.client.send(HttpRequest.newBuilder(uri("/delay?ms=x")).build(), BodyHandlers.discarding())
			.statusCode()).isEqualTo(400);
	}

	@Test
	void theFileRouteIsNotFoundWhileNoFileIsConfigured() throws Exception {
		HttpResponse<String> response = this.client.send(HttpRequest.newBuilder(uri("/file")).build(), BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.body()).contains("sample.download.file");
	}

	private static String run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		process.getOutputStream().close();
		CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
			try {
				return new String(process.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
			}
			catch (IOException ex) {
				return ex.toString();
			}
		});
		if (!process.waitFor(90, TimeUnit.SECONDS)) {
			process.destroyForcibly();
		}
		return output.join();
	}

}
