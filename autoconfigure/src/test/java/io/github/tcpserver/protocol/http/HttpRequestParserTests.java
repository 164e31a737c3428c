package io.github.tcpserver.protocol.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The parser alone: bytes in, requests out, no sockets.
 */
class HttpRequestParserTests {

	private static final HttpLimits SMALL = new HttpLimits(64, 256, 32, 16);

	private final HttpRequestParser parser = new HttpRequestParser(HttpLimits.defaults());

	private static ByteBuffer bytes(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
	}

	/** Feeds {@code text} in pieces of {@code step} bytes; returns every request completed. */
	private static List<HttpRequest> feed(HttpRequestParser parser, String text, int step) {
		byte[] all = text.getBytes(StandardCharsets.ISO_8859_1);
		List<HttpRequest> requests = new ArrayList<>();
		for (int offset = 0; offset < all.length; offset += step) {
			// A direct buffer, like the I/O loop's read buffer.
			ByteBuffer piece = ByteBuffer.allocateDirect(Math.min(step, all.length - offset));
			piece.put(all, offset, piece.capacity()).flip();
			while (piece.hasRemaining()) {
				HttpRequest request = parser.parse(piece);
				if (request != null) {
					requests.add(request);
				}
			}
		}
		return requests;
	}

	@Test
	void parsesRequestLineHeadersAndQuery() {
		HttpRequest request = this.parser
			.parse(bytes("GET /search?q=a%20b&x HTTP/1.1\r\nHost: example\r\nX-Custom:  spaced value \t\r\n\r\n"));
		assertThat(request).isNotNull();
		assertThat(request.method()).isEqualTo("GET");
		assertThat(request.target()).isEqualTo("/search?q=a%20b&x");
		assertThat(request.path()).isEqualTo("/search");
		assertThat(request.query()).isEqualTo("q=a%20b&x");
		assertThat(request.queryParameter("q")).isEqualTo("a b");
		assertThat(request.queryParameter("x")).isEmpty();
		assertThat(request.queryParameter("y")).isNull();
		assertThat(request.version()).isEqualTo(HttpVersion.HTTP_1_1);
		assertThat(request.header("host")).isEqualTo("example");
		assertThat(request.header("X-CUSTOM")).isEqualTo("spaced value");
		assertThat(request.body()).isEmpty();
		assertThat(request.isKeepAlive()).isTrue();
		assertThat(this.parser.isIdle()).isTrue();
	}

	@ParameterizedTest
	@ValueSource(ints = { 1, 2, 3, 7, 64, 10_000 })
	void parsesTheSameRequestsWhateverTheReadBoundaries(int step) {
		String pipelined = "\r\nPOST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
				+ "PUT /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: t\r\n\r\n"
				+ "GET /c HTTP/1.0\r\n\r\n";
		List<HttpRequest> requests = feed(new HttpRequestParser(HttpLimits.defaults()), pipelined, step);
		assertThat(requests).extracting(HttpRequest::path).containsExactly("/a", "/b", "/c");
		assertThat(requests.get(0).bodyAsString()).isEqualTo("hello");
		assertThat(requests.get(1).bodyAsString()).isEqualTo("abc0123456789abcdef");
		assertThat(requests.get(1).trailers().get("x-trailer")).isEqualTo("t");
		assertThat(requests.get(2).version()).isEqualTo(HttpVersion.HTTP_1_0);
		assertThat(requests.get(2).isKeepAlive()).isFalse();
	}

	@Test
	void leavesBytesOfTheNextPipelinedRequestInTheBuffer() {
		ByteBuffer in = bytes("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
		assertThat(this.parser.parse(in).path()).isEqualTo("/1");
		assertThat(in.hasRemaining()).isTrue();
		assertThat(this.parser.parse(in).path()).isEqualTo("/2");
		assertThat(in.hasRemaining()).isFalse();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "HTTP/1.1 | close | false", "HTTP/1.1 | keep-alive | true",
			"HTTP/1.1 | Upgrade, CLOSE | false", "HTTP/1.0 | keep-alive | true", "HTTP/1.0 | '' | false",
			"HTTP/1.2 | '' | true" })
	void decidesPersistenceFromVersionAndConnection(String version, String connection, boolean keepAlive) {
		String header = connection.isEmpty() ? "" : "Connection: " + connection + "\r\n";
		HttpRequest request = this.parser.parse(bytes("GET / " + version + "\r\nHost: h\r\n" + header + "\r\n"));
		assertThat(request.isKeepAlive()).isEqualTo(keepAlive);
	}

	@Test
	void asksForContinueOnceTheHeadersOfABodyExpectingItAreIn() {
		ByteBuffer head = bytes("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
		assertThat(this.parser.parse(head)).isNull();
		assertThat(this.parser.takeExpectContinue()).isTrue();
		assertThat(this.parser.takeExpectContinue()).isFalse();
		assertThat(this.parser.parse(bytes("ok")).bodyAsString()).isEqualTo("ok");
	}

	@Test
	void acceptsAbsoluteFormAndAsteriskForOptions() {
		assertThat(this.parser.parse(bytes("GET http://h:80/p?q HTTP/1.1\r\nHost: h\r\n\r\n")).path()).isEqualTo("/p");
		assertThat(this.parser.parse(bytes("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")).path()).isEqualTo("*");
	}

	@Test
	void acceptsRepeatedIdenticalContentLengths() {
		HttpRequest request = this.parser
			.parse(bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok"));
		assertThat(request.bodyAsString()).isEqualTo("ok");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			// malformed request lines (RFC 9112 §3)
			"400 | GET\\r\\n\\r\\n", "400 | GET  / HTTP/1.1\\r\\n\\r\\n", "400 | GET / HTTP/1.1 x\\r\\n\\r\\n",
			"400 | G(T / HTTP/1.1\\r\\n\\r\\n", "400 | GET / http/1.1\\r\\n\\r\\n", "400 | GET nopath HTTP/1.1\\r\\n\\r\\n",
			"400 | GET * HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n", "400 | GET /\\1 HTTP/1.1\\r\\n\\r\\n",
			// unsupported versions (RFC 9110 §15.6.6)
			"505 | GET / HTTP/2.0\\r\\nHost: h\\r\\n\\r\\n", "505 | GET / HTTP/0.9\\r\\n\\r\\n",
			// malformed header sections (RFC 9112 §5)
			"400 | GET / HTTP/1.1\\r\\nHost : h\\r\\n\\r\\n", "400 | GET / HTTP/1.1\\r\\nHost: h\\r\\n folded\\r\\n\\r\\n",
			"400 | GET / HTTP/1.1\\r\\nHost: h\\r\\nNoColon\\r\\n\\r\\n", "400 | GET / HTTP/1.1\\r\\nHost: h\\r\\n: v\\r\\n\\r\\n",
			"400 | GET / HTTP/1.1\\r\\nHost: a\\0b\\r\\n\\r\\n", "400 | GET / HTTP/1.1\\r\\nHost: a\\rb\\r\\n\\r\\n",
			"400 | GET / HTTP/1.1\\r\\n\\r\\n", "400 | GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n",
			// framing that could be smuggled (RFC 9112 §6.1, §6.3, §11.2)
			"400 | POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n",
			"400 | POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\n",
			"400 | POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 1, 2\\r\\n\\r\\n",
			"400 | POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: +1\\r\\n\\r\\n",
			"400 | POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 0x1\\r\\n\\r\\n",
			"400 | POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\n",
			"400 | POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n",
			"501 | POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n",
			"400 | POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\n",
			"400 | POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n1\\r\\nabc\\r\\n",
			// expectations (RFC 9110 §10.1.1)
			"417 | POST / HTTP/1.1\\r\\nHost: h\\r\\nExpect: something\\r\\nContent-Length: 1\\r\\n\\r\\n" })
	void rejectsBadRequestsWithTheirStatus(int status, String request) {
		String unescaped = request.replace("\\r", "\r")
			.replace("\\n", "\n")
			.replace("\\0", "\u0000")
			.replace("\\1", "\u0001");
		assertThatThrownBy(() -> feed(this.parser, unescaped, 10_000)).isInstanceOfSatisfying(HttpParseException.class,
				(ex) -> assertThat(ex.status()).isEqualTo(status));
		assertThatThrownBy(() -> this.parser.parse(bytes("GET / HTTP/1.1\r\n"))).as("unusable after a rejection")
			.isInstanceOf(IllegalStateException.class);
	}

	@Test
	void rejectsARequestLineOverTheLimitWith414EvenBeforeItEnds() {
		HttpRequestParser small = new HttpRequestParser(SMALL);
		assertThatThrownBy(() -> small.parse(bytes("GET /" + "a".repeat(100))))
			.isInstanceOfSatisfying(HttpParseException.class, (ex) -> assertThat(ex.status()).isEqualTo(414));
	}

	@Test
	void acceptsARequestLineExactlyAtTheLimit() {
		HttpRequestParser small = new HttpRequestParser(SMALL);
		String line = "GET /" + "a".repeat(64 - 14) + " HTTP/1.1";
		assertThat(line).hasSize(64);
		assertThat(feed(small, line + "\r\nHost: h\r\n\r\n", 1)).hasSize(1);
	}

	@Test
	void rejectsAHeaderSectionOverTheLimitWith431() {
		HttpRequestParser small = new HttpRequestParser(SMALL);
		String request = "GET / HTTP/1.1\r\nHost: h\r\n" + "X-Filler: 0123456789\r\n".repeat(20) + "\r\n";
		assertThatThrownBy(() -> feed(small, request, 5)).isInstanceOfSatisfying(HttpParseException.class,
				(ex) -> assertThat(ex.status()).isEqualTo(431));
	}

	@Test
	void rejectsABodyOverTheLimitWith413BeforeReadingIt() {
		HttpRequestParser small = new HttpRequestParser(SMALL);
		assertThatThrownBy(() -> small.parse(bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 33\r\n\r\n")))
			.isInstanceOfSatisfying(HttpParseException.class, (ex) -> assertThat(ex.status()).isEqualTo(413));
		HttpRequestParser huge = new HttpRequestParser(SMALL);
		assertThatThrownBy(() -> huge.parse(bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n")))
			.isInstanceOfSatisfying(HttpParseException.class, (ex) -> assertThat(ex.status()).isEqualTo(413));
	}

	@Test
	void rejectsAChunkedBodyOverTheLimitWith413() {
		HttpRequestParser small = new HttpRequestParser(SMALL);
		String request = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n"
				+ "11\r\n";
		assertThatThrownBy(() -> feed(small, request, 3)).isInstanceOfSatisfying(HttpParseException.class,
				(ex) -> assertThat(ex.status()).isEqualTo(413));
		HttpRequestParser overflow = new HttpRequestParser(SMALL);
		assertThatThrownBy(() -> overflow.parse(bytes("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
				+ "ffffffffffffffffffffffff\r\n")))
			.isInstanceOfSatisfying(HttpParseException.class, (ex) -> assertThat(ex.status()).isEqualTo(413));
	}

	@Test
	void formatsTheDateAsImfFixdate() {
		assertThat(HttpDate.format(784111777L)).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
		assertThat(new String(HttpDate.headerLine(), StandardCharsets.US_ASCII))
			.matches("Date: [A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n");
	}

	@Test
	void allocatesNothingForADeclaredBodyBeforeItsBytesArrive() {
		// 400 of these (81 bytes each) once pinned 511 MiB: the body array was sized from Content-Length.
		HttpLimits limits = HttpLimits.defaults();
		HttpRequestParser parser = new HttpRequestParser(limits);
		assertThat(parser.parse(bytes("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1048576\r\n\r\nx"))).isNull();
		assertThat(limits.requestMemory().used()).isEqualTo(HttpRequestParser.INITIAL_BODY_CAPACITY);
		parser.parse(ByteBuffer.wrap(new byte[100_000]));
		assertThat(limits.requestMemory().used()).as("grown to the data at hand").isEqualTo(100_001);
		parser.parse(ByteBuffer.wrap(new byte[10]));
		assertThat(limits.requestMemory().used()).as("then doubling").isEqualTo(200_002);
		parser.release();
		assertThat(limits.requestMemory().used()).isZero();
	}

	@Test
	void allocatesNothingForADeclaredChunkBeforeItsBytesArrive() {
		HttpLimits limits = HttpLimits.defaults();
		HttpRequestParser parser = new HttpRequestParser(limits);
		assertThat(parser.parse(bytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nFFFFF\r\nab"))).isNull();
		assertThat(limits.requestMemory().used()).isEqualTo(HttpRequestParser.INITIAL_BODY_CAPACITY);
		parser.release();
		assertThat(limits.requestMemory().used()).isZero();
	}

	@Test
	void aCompleteRequestGivesItsBodyMemoryBackToTheBudget() {
		HttpLimits limits = HttpLimits.defaults();
		HttpRequestParser parser = new HttpRequestParser(limits);
		HttpRequest request = parser.parse(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 20000\r\n\r\n" + "y".repeat(20000)));
		assertThat(request.body()).hasSize(20000);
		assertThat(limits.requestMemory().used()).isZero();
	}

	@Test
	void aBodyThatDoesNotFitInTheSharedBudgetIsRefusedWith503() {
		HttpLimits limits = HttpLimits.defaults().withRequestMemory(new RequestMemoryBudget(20 * 1024));
		HttpRequestParser first = new HttpRequestParser(limits);
		HttpRequestParser second = new HttpRequestParser(limits);
		first.parse(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 50000\r\n\r\n" + "y".repeat(10000)));
		assertThat(limits.requestMemory().used()).isEqualTo(10000);
		assertThatThrownBy(() -> second.parse(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 50000\r\n\r\n" + "z".repeat(12000))))
			.isInstanceOfSatisfying(HttpParseException.class, (ex) -> assertThat(ex.status()).isEqualTo(503));
		assertThat(limits.requestMemory().refusals()).isEqualTo(1);
		second.release();
		first.release();
		assertThat(limits.requestMemory().used()).isZero();
	}

	@Test
	void anAbsoluteFormTargetsAuthorityReplacesTheHostHeader() {
		// RFC 9112 §3.2.2: the server MUST ignore Host; a proxy in front routed by the authority.
		HttpRequest request = this.parser.parse(bytes("GET http://admin.internal:8080/x?y HTTP/1.1\r\nHost: public.example\r\n\r\n"));
		assertThat(request.header("Host")).isEqualTo("admin.internal:8080");
		assertThat(request.headers().getAll("Host")).hasSize(1);
		assertThat(request.path()).isEqualTo("/x");
	}

}
