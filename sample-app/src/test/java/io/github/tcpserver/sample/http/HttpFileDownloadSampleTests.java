package io.github.tcpserver.sample.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's {@code GET /file} with the JDK HttpClient: the file named by
 * {@code sample.download.file} arrives whole, byte for byte, with its length, again and again on
 * one keep-alive connection; the other routes still answer after it.
 */
@SpringBootTest(properties = { "tcp.server.port=0", "http.port=0", "chat.port=0", "chat.framed-port=0",
		"sample.download.port=0", "sample.tls.echo-port=0", "sample.tls.https-port=0",
		"sample.tls.chat-port=0", "sample.tls.mutual-port=0" })
class HttpFileDownloadSampleTests {

	/** Not a multiple of any buffer size, and larger than a socket buffer. */
	private static final int LENGTH = 3 * 1024 * 1024 + 4321;

	private static final Path DIRECTORY;

	private static final byte[] CONTENT = new byte[LENGTH];

	static {
		new Random(14).nextBytes(CONTENT);
		try {
			DIRECTORY = Files.createTempDirectory("sample-download");
			Files.write(DIRECTORY.resolve("download.bin"), CONTENT);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@DynamicPropertySource
	static void downloadFile(DynamicPropertyRegistry registry) {
		registry.add("sample.download.file", () -> DIRECTORY.resolve("download.bin").toString());
	}

	@AfterAll
	static void deleteFile() throws IOException {
		Files.deleteIfExists(DIRECTORY.resolve("download.bin"));
		Files.deleteIfExists(DIRECTORY);
	}

	@Value("${local.tcp.server.port.http}")
	int port;

	private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	@Test
	void theFileArrivesWholeWithItsLengthThreeTimesOverOneConnection() throws Exception {
		for (int i = 0; i < 3; i++) {
			HttpResponse<byte[]> response = this.client.send(HttpRequest.newBuilder(uri("/file")).build(),
					BodyHandlers.ofByteArray());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(LENGTH);
			assertThat(response.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
			assertThat(response.body()).as("download %d", i).isEqualTo(CONTENT);
		}
		HttpResponse<String> after = this.client.send(HttpRequest.newBuilder(uri("/")).build(), BodyHandlers.ofString());
		assertThat(after.body()).isEqualTo("Hello, world!");
	}

	@Test
	void aHeadRequestGetsTheFilesLengthWithoutItsBytes() throws Exception {
		HttpResponse<byte[]> response = this.client.send(
				HttpRequest.newBuilder(uri("/file")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
				BodyHandlers.ofByteArray());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(LENGTH);
		assertThat(response.body()).isEmpty();
	}

}
