package io.github.tcpserver.protocol.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What a handler answers: a status, header fields and a body, either complete (sent with
 * {@code Content-Length}), read from a stream or a file, or as a sequence of chunks (of unknown
 * length: sent with chunked transfer coding, RFC 9112 §7.1, or close-delimited to an HTTP/1.0
 * client); or a response that {@link #async(CompletionStage) comes later}. Bodies are sent while
 * the client reads, never queued whole. The server adds {@code Date}, {@code Server}, the framing
 * fields and {@code Connection}; handlers should not set those.
 * <p>
 * A response with an array or chunk body is not modified by sending it, so a constant one may be
 * built once and returned for every request; one with a stream or file body is sent once and
 * closes its source when done (or when the connection closes first).
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

	/** A body read on an executor, closed once sent. */
	private InputStream stream;

	/** A file body, closed once sent. */
	private FileChannel file;

	/** The length of a stream or file body; -1 when unknown. */
	private long sourceLength = -1;

	/** The response of an asynchronous handler, or {@code null}. */
	private CompletionStage<HttpResponse> later;

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
	 * @param chunks the pieces, iterated as the client reads: on the I/O thread (so they must not
	 * block), or on the handler executor of a blocking listener ({@code @SocketHandler(blocking = true)}),
	 * where they may; the iterator is made when the first chunk is needed, and closed after the
	 * body (also a cut one) if it is {@link AutoCloseable}
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
	 * A response whose body is read from {@code in} on a thread that may block (never an I/O
	 * thread), a slice at a time while the client reads, and closed at the end; sent chunked, or
	 * close-delimited to an HTTP/1.0 client.
	 * @param contentType the media type of the body
	 * @param in the body
	 * @return a 200 response with that body
	 */
	public static HttpResponse stream(String contentType, InputStream in) {
		return stream(contentType, in, -1);
	}

	/**
	 * A response whose body is read from {@code in} as {@link #stream(String, InputStream)}, sent
	 * with {@code Content-Length}. A stream that ends early closes the connection (the client
	 * sees a truncated body); bytes past {@code length} are not read.
	 * @param contentType the media type of the body
	 * @param in the body
	 * @param length the body's length in bytes, or -1 if unknown
	 * @return a 200 response with that body
	 */
	public static HttpResponse stream(String contentType, InputStream in, long length) {
		HttpResponse response = new HttpResponse(200);
		response.contentTypeLine = contentTypeLine(contentType);
		response.stream = in;
		response.sourceLength = Math.max(-1, length);
		return response;
	}

	/**
	 * A response whose body is the content of {@code path}, sent with {@code Content-Length} a
	 * slice at a time while the client reads. The file is opened now and closed once sent.
	 * @param contentType the media type of the body
	 * @param path a regular file
	 * @return a 200 response with that body
	 * @throws UncheckedIOException if the file cannot be opened (a handler answers 500; check first for a 404)
	 */
	public static HttpResponse file(String contentType, Path path) {
		HttpResponse response = new HttpResponse(200);
		response.contentTypeLine = contentTypeLine(contentType);
		try {
			response.file = FileChannel.open(path, StandardOpenOption.READ);
			response.sourceLength = response.file.size();
		}
		catch (IOException ex) {
			response.releaseBody();
			throw new UncheckedIOException("Cannot send " + path, ex);
		}
		return response;
	}

	/**
	 * A response that comes later, for a handler that waits on something (another service, a
	 * timer) without holding a thread: return it at once and complete {@code stage} from any
	 * thread. Pipelined responses still leave in request order. A stage that fails is answered
	 * 500; one that does not complete within {@link HttpLimits#asyncTimeout()} is answered 503.
	 * <pre class="code">
	 * router.get("/quote", (request) -&gt; HttpResponse.async(quotes.fetch().thenApply(HttpResponse::json)));
	 * </pre>
	 * @param stage completes with the response
	 * @return a placeholder for the response
	 */
	public static HttpResponse async(CompletionStage<HttpResponse> stage) {
		if (stage == null) {
			throw new IllegalArgumentException("stage must not be null");
		}
		HttpResponse response = new HttpResponse(200);
		response.later = stage;
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
		releaseBody();
		this.body = body;
		this.chunks = null;
		this.stream = null;
		this.file = null;
		this.sourceLength = -1;
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

	/** @return the complete body, empty for a chunked, stream or file response; not a copy */
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

	/** @return the response a handler will complete later, or {@code null} */
	public CompletionStage<HttpResponse> later() {
		return this.later;
	}

	/** @return the body's length in bytes, -1 when unknown (chunks, a stream without length) */
	public long knownLength() {
		if (this.stream != null || this.file != null) {
			return this.sourceLength;
		}
		return (this.chunks != null) ? -1 : this.body.length;
	}

	InputStream stream() {
		return this.stream;
	}

	FileChannel file() {
		return this.file;
	}

	/** @return whether the body holds a source (stream, file) to close */
	boolean hasSource() {
		return this.stream != null || this.file != null;
	}

	/** Closes a stream or file body that will not be sent (HEAD, 204, 304, a closed connection). */
	void releaseBody() {
		try {
			if (this.stream != null) {
				this.stream.close();
			}
			if (this.file != null) {
				this.file.close();
			}
		}
		catch (IOException ex) {
			// Nothing to recover: the body is not sent.
			System.getLogger(HttpResponse.class.getName()).log(System.Logger.Level.DEBUG, "Closing a body failed", ex);
		}
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
