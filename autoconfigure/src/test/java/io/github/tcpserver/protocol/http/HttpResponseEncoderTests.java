package io.github.tcpserver.protocol.http;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The framing the encoder chooses for each kind of body, without sockets: small arrays go in the
 * batch, everything else follows it with its length or chunked, and HEAD, 204 and 304 send none.
 */
class HttpResponseEncoderTests {

	private final HttpResponseEncoder encoder = new HttpResponseEncoder(HttpResponseEncoder.serverLine("t"));

	@Test
	void aSmallArrayBodyGoesInTheBatchWithItsLength() {
		assertThat(this.encoder.encode(HttpResponse.text("hello"), false, HttpVersion.HTTP_1_1, true)).isTrue();
		assertThat(this.encoder.bodyFollows()).isFalse();
		assertThat(encoded()).contains("Content-Length: 5\r\n").endsWith("\r\n\r\nhello");
	}

	@Test
	void aLargeArrayBodyFollowsTheBatchWithItsLength() {
		byte[] body = new byte[HttpResponseEncoder.INLINE_BODY + 1];
		this.encoder.encode(HttpResponse.ok().body(body), false, HttpVersion.HTTP_1_1, true);
		assertThat(this.encoder.bodyFollows()).isTrue();
		assertThat(this.encoder.chunkedBody()).isFalse();
		assertThat(encoded()).contains("Content-Length: " + body.length + "\r\n").endsWith("\r\n\r\n");
	}

	@Test
	void aStreamOfKnownLengthIsSentWithItsLengthAndOneOfUnknownLengthChunked() {
		this.encoder.encode(HttpResponse.stream("application/octet-stream", input(10), 10), false, HttpVersion.HTTP_1_1, true);
		assertThat(this.encoder.bodyFollows()).isTrue();
		assertThat(this.encoder.chunkedBody()).isFalse();
		assertThat(encoded()).contains("Content-Length: 10\r\n").doesNotContain("Transfer-Encoding");
		this.encoder.reset();
		this.encoder.encode(HttpResponse.stream("application/octet-stream", input(10)), false, HttpVersion.HTTP_1_1, true);
		assertThat(this.encoder.bodyFollows()).isTrue();
		assertThat(this.encoder.chunkedBody()).isTrue();
		assertThat(encoded()).contains("Transfer-Encoding: chunked\r\n").doesNotContain("Content-Length");
	}

	@Test
	void aBodyOfUnknownLengthToAnHttp10ClientIsCloseDelimited() {
		boolean keepAlive = this.encoder.encode(HttpResponse.chunked(List.of("a", "b")), false, HttpVersion.HTTP_1_0, true);
		assertThat(keepAlive).isFalse();
		assertThat(this.encoder.bodyFollows()).isTrue();
		assertThat(this.encoder.chunkedBody()).isFalse();
		assertThat(encoded()).contains("Connection: close\r\n").doesNotContain("Transfer-Encoding");
	}

	@Test
	void headKeepsTheFramingFieldsButNoBodyFollows() {
		this.encoder.encode(HttpResponse.stream("text/plain", input(10), 10), true, HttpVersion.HTTP_1_1, true);
		assertThat(this.encoder.bodyFollows()).isFalse();
		assertThat(encoded()).contains("Content-Length: 10\r\n").endsWith("\r\n\r\n");
		this.encoder.reset();
		this.encoder.encode(HttpResponse.chunked(List.of("a")), true, HttpVersion.HTTP_1_1, true);
		assertThat(this.encoder.bodyFollows()).isFalse();
		assertThat(encoded()).contains("Transfer-Encoding: chunked\r\n").endsWith("\r\n\r\n");
	}

	@Test
	void noContentAndNotModifiedHaveNeitherBodyNorLength() {
		for (int status : new int[] { 204, 304 }) {
			this.encoder.reset();
			HttpResponse response = HttpResponse.stream("text/plain", input(10), 10);
			this.encoder.encode(HttpResponse.status(status).body(new byte[100_000]), false, HttpVersion.HTTP_1_1, true);
			assertThat(this.encoder.bodyFollows()).isFalse();
			assertThat(encoded()).doesNotContain("Content-Length").endsWith("\r\n\r\n");
			response.releaseBody();
		}
	}

	@Test
	void aLengthAboveTwoGigabytesIsWrittenWhole() {
		HttpResponse response = HttpResponse.stream("application/octet-stream", input(0), 5_000_000_000L);
		this.encoder.encode(response, false, HttpVersion.HTTP_1_1, true);
		assertThat(encoded()).contains("Content-Length: 5000000000\r\n");
	}

	@Test
	void anAsyncResponseCarriesItsStageAndNoBody() {
		CompletableFuture<HttpResponse> stage = new CompletableFuture<>();
		HttpResponse response = HttpResponse.async(stage);
		assertThat(response.later()).isSameAs(stage);
		assertThat(response.body()).isEmpty();
	}

	private String encoded() {
		return new String(this.encoder.buffer().array(), 0, this.encoder.length(), StandardCharsets.ISO_8859_1);
	}

	private static ByteArrayInputStream input(int length) {
		return new ByteArrayInputStream(new byte[length]);
	}

}
