package io.github.tcpserver.protocol.http;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Application data cannot become header lines: names must be tokens, values and content types
 * field-content, and a violation is an exception to the application, never bytes on the wire.
 */
class HttpResponseFieldValidationTests {

	@ParameterizedTest
	@ValueSource(strings = { "X-A\r\nSet-Cookie: evil", "X-A\nB", "X A", "X:A", "", "Caf\u00e9", "X-\u010d" })
	void aHeaderNameThatIsNotATokenIsRefused(String name) {
		assertThatIllegalArgumentException().isThrownBy(() -> HttpResponse.ok().header(name, "v"));
	}

	@ParameterizedTest
	// U+010D is narrowed by the ISO-8859-1 encoder to 0x0D, a CR: once a way to split responses.
	@ValueSource(strings = { "a\r\nSet-Cookie: evil", "a\nb", "a\rb", "a\u0000b", "a\u007fb", "a\u010d\u010aSet-Cookie: x" })
	void aHeaderValueWithAControlOrWideCharacterIsRefused(String value) {
		assertThatIllegalArgumentException().isThrownBy(() -> HttpResponse.ok().header("X-A", value));
	}

	@Test
	void aContentTypeThatWouldInjectAFieldIsRefusedEverywhereItIsSet() {
		String injected = "text/plain\r\nSet-Cookie: evil";
		assertThatIllegalArgumentException().isThrownBy(() -> HttpResponse.chunked(injected, List.of()));
		assertThatIllegalArgumentException().isThrownBy(() -> HttpResponse.ok().contentType(injected));
		assertThatIllegalArgumentException().isThrownBy(() -> HttpResponse.ok().header("Content-Type", injected));
	}

	@Test
	void aServerNameThatWouldInjectAFieldIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(
				() -> new HttpServerHandler((request) -> HttpResponse.ok(), HttpLimits.defaults(), "x\r\nSet-Cookie: y"));
	}

	@Test
	void validNamesAndValuesAreKept() {
		HttpResponse response = HttpResponse.ok()
			.header("X-Trace_Id.1!", "caf\u00e9 \tvalue; q=\"1\"")
			.contentType("text/html; charset=utf-8");
		assertThat(response.headers().get("x-trace_id.1!")).isEqualTo("caf\u00e9 \tvalue; q=\"1\"");
		assertThat(response.contentType()).isEqualTo("text/html; charset=utf-8");
	}

	@Test
	void headersAddedThroughTheMutableViewAreCheckedWhenEncodedAndNeverSent() {
		HttpResponse response = HttpResponse.ok().header("X-A", "1");
		response.headers().add("X-B", "v\r\nSet-Cookie: evil");
		HttpResponseEncoder encoder = new HttpResponseEncoder(HttpResponseEncoder.serverLine("t"));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> encoder.encode(response, false, HttpVersion.HTTP_1_1, true));
		HttpResponse wide = HttpResponse.ok().header("X-A", "1");
		wide.headers().add("X-B\u010d\u010aSet-Cookie", "v");
		assertThatIllegalArgumentException().isThrownBy(() -> encoder.encode(wide, false, HttpVersion.HTTP_1_1, true));
	}

}
