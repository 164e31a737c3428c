package io.github.tcpserver.protocol.http;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a handler answers: a status, header fields and a body, either complete (sent with
 * {@code Content-Length}) or as a sequence of chunks (sent with chunked transfer coding, RFC 9112
 * §7.1, or close-delimited to an HTTP/1.0 client). The server adds {@code Date}, {@code Server},
 * the framing fields and {@code Connection}; handlers should not set those.
 * <p>
 * A response is not modified by sending it, so a constant one may be built once and returned for
 * every request.
 */
public final class HttpResponse {

	static final byte[] TEXT_PLAIN = contentTypeLine("text/plain;charset=UTF-8");

	static final byte[] APPLICATION_JSON = contentTypeLine("application/json");

	private static final byte[] NO_BODY = new byte[0];

	private final int status;

	private HttpHeaders headers;

	/** The whole {@code Content-Type: ...\r\n} line, pre-encoded. */
	private byte[] contentTypeLine;

	private byte[] body = NO_BODY;

	private Iterable<byte[]> chunks;

	private HttpResponse(int status) {
		HttpStatus.requireValid(status);
		this.status = status;
	}

	/**
	 * @param status the status code, 100 to 599
	 * @return a response with that status and no body
	 */
	public static HttpResponse status(int status) {
		return new HttpResponse(status);
	}

	/** @return a 200 response with no body */
	public static HttpResponse ok() {
		return new HttpResponse(200);
	}

	/**
	 * @param text the body
	 * @return a 200 {@code text/plain;charset=UTF-8} response
	 */
	public static HttpResponse text(String text) {
		return text(200, text);
	}

	/**
	 * @param status the status code
	 * @param text the body
	 * @return a {@code text/plain;charset=UTF-8} response
	 */
	public static HttpResponse text(int status, String text) {
		HttpResponse response = new HttpResponse(status);
		response.contentTypeLine = TEXT_PLAIN;
		response.body = text.getBytes(StandardCharsets.UTF_8);
		return response;
	}

	/**
	 * @param json a JSON document
	 * @return a 200 {@code application/json} response
	 */
	public static HttpResponse json(String json) {
		HttpResponse response = new HttpResponse(200);
		response.contentTypeLine = APPLICATION_JSON;
		response.body = json.getBytes(StandardCharsets.UTF_8);
		return response;
	}

	/**
	 * A response whose body is produced piece by piece; each non-empty piece becomes one chunk.
	 * @param contentType the media type of the body
	 * @param chunks the pieces, iterated on the I/O thread when the response is sent
	 * @return a 200 response with a streamed body
	 * @throws IllegalArgumentException if the content type is not a valid field value
	 */
	public static HttpResponse chunked(String contentType, Iterable<byte[]> chunks) {
		HttpResponse response = new HttpResponse(200);
		response.contentTypeLine = contentTypeLine(contentType);
		response.chunks = chunks;
		return response;
	}

	/**
	 * @param chunks the pieces of the body
	 * @return a 200 {@code text/plain} response with a streamed body
	 */
	public static HttpResponse chunked(List<String> chunks) {
		return chunked("text/plain;charset=UTF-8",
				chunks.stream().map((chunk) -> chunk.getBytes(StandardCharsets.UTF_8)).toList());
	}

	/**
	 * Adds a header field.
	 * @param name the field name, a token (RFC 9110 §5.1)
	 * @param value the field value: ISO-8859-1 without control characters other than HTAB (§5.5)
	 * @return this
	 * @throws IllegalArgumentException if the name or value could not be sent as one field line
	 */
	public HttpResponse header(String name, String value) {
		// Checked here, not when encoding: a CR or LF would let application data inject fields
		// (response splitting), and the caller is the one to tell.
		HttpFieldSyntax.requireName(name);
		HttpFieldSyntax.requireValue(name, value);
		if (name.equalsIgnoreCase("Content-Type")) {
			this.contentTypeLine = contentTypeLine(value);
			return this;
		}
		if (this.headers == null) {
			this.headers = new HttpHeaders(4);
		}
		this.headers.add(name, value);
		return this;
	}

	/**
	 * @param contentType the media type of the body
	 * @return this
	 */
	public HttpResponse contentType(String contentType) {
		return header("Content-Type", contentType);
	}

	/**
	 * @param body the complete body; not copied
	 * @return this
	 */
	public HttpResponse body(byte[] body) {
		this.body = body;
		this.chunks = null;
		return this;
	}

	/**
	 * @param body the complete body, encoded as UTF-8
	 * @return this
	 */
	public HttpResponse body(String body) {
		return body(body.getBytes(StandardCharsets.UTF_8));
	}

	/** @return the status code */
	public int statusCode() {
		return this.status;
	}

	/** @return the header fields set by the handler (without Content-Type) */
	public HttpHeaders headers() {
		return (this.headers != null) ? this.headers : new HttpHeaders(0);
	}

	/** @return the content type, or {@code null} */
	public String contentType() {
		if (this.contentTypeLine == null) {
			return null;
		}
		// "Content-Type: " is 14 bytes, CRLF is 2.
		return new String(this.contentTypeLine, 14, this.contentTypeLine.length - 16, StandardCharsets.ISO_8859_1);
	}

	/** @return the complete body, empty for a chunked response; not a copy */
	public byte[] body() {
		return this.body;
	}

	/** @return the body as UTF-8 text */
	public String bodyAsString() {
		return new String(this.body, StandardCharsets.UTF_8);
	}

	/** @return the chunks of a streamed body, or {@code null} */
	public Iterable<byte[]> chunks() {
		return this.chunks;
	}

	HttpHeaders rawHeaders() {
		return this.headers;
	}

	byte[] contentTypeLine() {
		return this.contentTypeLine;
	}

	private static byte[] contentTypeLine(String contentType) {
		HttpFieldSyntax.requireValue("Content-Type", contentType);
		return ("Content-Type: " + contentType + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
	}

	@Override
	public String toString() {
		return this.status + " " + HttpStatus.reasonPhrase(this.status);
	}

}
