package io.github.tcpserver.sample.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(properties = { "tcp.server.port=0", "http.port=0", "chat.port=0", "chat.framed-port=0",
		"sample.download.port=0", "sample.tls.echo-port=0", "sample.tls.https-port=0",
		"sample.tls.chat-port=0", "sample.tls.mutual-port=0" })
class HttpSampleTests {

	@Value("${local.tcp.server.port.http}")
	int port;

	private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return this.client.send(request.build(), BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	@Test
	void rootSaysHelloAsPlainText() throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/")));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("Hello, world!");
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying((type) -> assertThat(type)
			.startsWith("text/plain"));
	}

	@Test
	void jsonAndEchoRoutesAnswer() throws Exception {
		assertThat(send(HttpRequest.newBuilder(uri("/json?name=%22you%22"))).body())
			.isEqualTo("{\"message\":\"Hello, \\\"you\\\"!\"}");
		HttpResponse<String> echoed = send(HttpRequest.newBuilder(uri("/echo"))
			.header("Content-Type", "text/plain")
			.POST(BodyPublishers.ofString("hi there")));
		assertThat(echoed.body()).isEqualTo("hi there");
		assertThat(echoed.headers().firstValue("Content-Type")).hasValue("text/plain");
		assertThat(send(HttpRequest.newBuilder(uri("/missing"))).statusCode()).isEqualTo(404);
	}

}
