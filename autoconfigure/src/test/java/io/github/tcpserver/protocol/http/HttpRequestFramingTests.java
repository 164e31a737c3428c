package io.github.tcpserver.protocol.http;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The differential check: for requests where two HTTP/1.1 parsers could disagree on where a
 * message ends (request smuggling, RFC 9112 §11.2), the parser's verdict must be the strict
 * reading of RFC 9112 written in the table, for the whole input and for the same bytes split at
 * every position. The class comment of {@link HttpRequestParser} gives the reason for each rule.
 * <p>
 * Escapes in the table: {@code \r}, {@code \n}, {@code \0}, {@code \xHH}.
 */
class HttpRequestFramingTests {

	private static final String CHUNKED = "POST /echo HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n";

	@ParameterizedTest(name = "[{index}] {1}")
	@CsvSource(delimiterString = " => ", quoteCharacter = '`', textBlock = """
			# Funky chunks (Go CVE-2025-22871, Netty CVE-2025-58056): CRLF only around chunk data
			reject 400 => CHUNKED 3;x\\nabc\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED 3\\r\\nabc\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED 3\\nabc\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED 3\\r\\nabc\\r\\n0\\n\\r\\n
			reject 400 => CHUNKED 3\\r\\nabc\\r\\n0\\r\\n\\n
			reject 400 => CHUNKED 3\\r\\nabc\\r\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED 3\\r\\nabcX\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED 3\\rabc\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED 3\\r\\nabc\\r\\n0\\r\\nX: y\\n\\r\\n
			# Chunk extensions: RFC 9112 §7.1.1 grammar exactly
			POST /echo 3 => CHUNKED 3;a=b\\r\\nabc\\r\\n0\\r\\n\\r\\n
			POST /echo 3 => CHUNKED 3 ;a = "x y" ; b\\r\\nabc\\r\\n0;last\\r\\n\\r\\n
			POST /echo 3 => CHUNKED 3;a="q\\\\"uote\\xe9"\\r\\nabc\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED 3;a="b\\r\\nc"\\r\\nabc\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED 3;a="b\\nc"\\r\\nabc\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED 3;a="b\\rc"\\r\\nabc\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED 3;a=\\r\\nabc\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED 3;\\r\\nabc\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED 3;a\\0\\r\\nabc\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED 3 \\r\\nabc\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED 3x\\r\\nabc\\r\\n0\\r\\n\\r\\n
			# Chunk sizes
			POST /echo 3 => CHUNKED 0003\\r\\nabc\\r\\n0\\r\\n\\r\\n
			POST /echo 16 => CHUNKED A\\r\\n0123456789\\r\\n6\\r\\nabcdef\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED 0x3\\r\\nabc\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED -3\\r\\nabc\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED +3\\r\\nabc\\r\\n0\\r\\n\\r\\n
			reject 400 => CHUNKED \\r\\nabc\\r\\n0\\r\\n\\r\\n
			reject 413 => CHUNKED 10000000000000000000003\\r\\nabc\\r\\n0\\r\\n\\r\\n
			# Trailers are kept apart: a Content-Length there frames nothing
			POST /echo 3 => CHUNKED 3\\r\\nabc\\r\\n0\\r\\nContent-Length: 100\\r\\n\\r\\n
			reject 400 => CHUNKED 3\\r\\nabc\\r\\n0\\r\\nX : y\\r\\n\\r\\n
			# Content-Length and Transfer-Encoding together, or in HTTP/1.0, or misspelt
			reject 400 => POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabc\\r\\n0\\r\\n\\r\\n
			reject 400 => POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 3\\r\\n\\r\\nabc
			reject 400 => POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n
			reject 400 => POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: xchunked\\r\\n\\r\\n0\\r\\n\\r\\n
			reject 400 => POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding : chunked\\r\\n\\r\\n0\\r\\n\\r\\n
			reject 400 => POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\n folded\\r\\n\\r\\n0\\r\\n\\r\\n
			reject 501 => POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n
			POST / 0 => POST / HTTP/1.1\\r\\nHost: h\\r\\nTransfer-Encoding:\\tchunked\\r\\n\\r\\n0\\r\\n\\r\\n
			# Content-Length: digits; identical repeats allowed (RFC 9110 §8.6), different ones not
			POST / 3 => POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3, 3\\r\\n\\r\\nabc
			POST / 3 => POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3\\r\\nContent-Length: 3\\r\\n\\r\\nabc
			reject 400 => POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\nabcd
			reject 400 => POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3 3\\r\\n\\r\\nabc
			reject 400 => POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3\\xb2\\r\\n\\r\\nabc
			reject 400 => POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: -1\\r\\n\\r\\n
			reject 400 => POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length:\\r\\n\\r\\n
			# Line endings of the head: CRLF only; a bare CR nowhere
			reject 400 => GET / HTTP/1.1\\nHost: h\\r\\n\\r\\n
			reject 400 => GET / HTTP/1.1\\r\\nHost: h\\nContent-Length: 3\\r\\n\\r\\nabc
			reject 400 => GET / HTTP/1.1\\r\\nHost: h\\r\\n\\n
			reject 400 => GET / HTTP/1.1\\r\\nHost: h\\rX: y\\r\\n\\r\\n
			reject 400 => GET /\\r HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n
			reject 400 => GET / HTTP/1.1\\r\\nHost: h\\r\\nX: a\\0b\\r\\n\\r\\n
			# Request line and target forms
			GET /p 0 => GET http://h/p HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n
			GET / 0 => GET https://h HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n
			reject 400 => GET http:///p HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n
			reject 400 => GET http://evil@good/p HTTP/1.1\\r\\nHost: good\\r\\n\\r\\n
			reject 400 => GET http://a"b/p HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n
			reject 400 => GET http://h:8x/p HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n
			reject 400 => GET foo://h/p HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n
			reject 400 => CONNECT h:443 HTTP/1.1\\r\\nHost: h:443\\r\\n\\r\\n
			reject 400 => GET  / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n
			reject 400 => GET /\\tx HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n
			reject 400 => GET / HTTP/1.1 \\r\\nHost: h\\r\\n\\r\\n
			# Host: exactly one, and a valid uri-host [":" port]
			reject 400 => GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n
			reject 400 => GET / HTTP/1.1\\r\\nHost: user@evil\\r\\n\\r\\n
			reject 400 => GET / HTTP/1.1\\r\\nHost: a b\\r\\n\\r\\n
			reject 400 => GET / HTTP/1.1\\r\\nHost: a/b\\r\\n\\r\\n
			reject 400 => GET / HTTP/1.1\\r\\nHost: a:b:c\\r\\n\\r\\n
			reject 400 => GET / HTTP/1.1\\r\\nHost: ]x[\\r\\n\\r\\n
			reject 400 => GET / HTTP/1.1\\r\\nHost: [::1\\r\\n\\r\\n
			GET / 0 => GET / HTTP/1.1\\r\\nHost: [::1]:8080\\r\\n\\r\\n
			# Empty lines before the request line: a few are skipped (§2.2), not any number
			GET / 0 => \\r\\n\\r\\nGET / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n
			reject 400 => \\r\\n\\r\\n\\r\\n\\r\\n\\r\\n\\r\\n\\r\\n\\r\\n\\r\\nGET / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n
			# Pipelining: each message ends exactly where its framing says
			POST / 5 | GET /2 0 => POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 5\\r\\n\\r\\nhelloGET /2 HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n
			POST /echo 3 | GET /2 0 => CHUNKED 3\\r\\nabc\\r\\n0\\r\\n\\r\\nGET /2 HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n
			# obs-text in a field value is data (RFC 9110 §5.5), not framing
			GET / 0 => GET / HTTP/1.1\\r\\nHost: h\\r\\nX-Name: caf\\xe9\\r\\n\\r\\n
			""")
	void theVerdictIsTheStrictReadingOfRfc9112WhereverTheBytesAreSplit(String expected, String escaped) {
		byte[] input = unescape(escaped.replace("CHUNKED ", CHUNKED));
		HttpLimits limits = HttpLimits.defaults();
		assertThat(ParserVerdict.of(limits, input, input.length)).as("whole").isEqualTo(expected.strip());
		for (int split = 0; split < input.length; split++) {
			assertThat(ParserVerdict.of(limits, input, split)).as("split at %d", split).isEqualTo(expected.strip());
		}
	}

	static byte[] unescape(String text) {
		StringBuilder out = new StringBuilder();
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c != '\\' || i + 1 == text.length()) {
				out.append(c);
				continue;
			}
			char next = text.charAt(++i);
			switch (next) {
				case 'r' -> out.append('\r');
				case 'n' -> out.append('\n');
				case 't' -> out.append('\t');
				case '0' -> out.append('\0');
				case '\\' -> out.append('\\');
				case 'x' -> {
					out.append((char) Integer.parseInt(text.substring(i + 1, i + 3), 16));
					i += 2;
				}
				default -> throw new IllegalArgumentException("Unknown escape \\" + next);
			}
		}
		return out.toString().getBytes(StandardCharsets.ISO_8859_1);
	}

}
