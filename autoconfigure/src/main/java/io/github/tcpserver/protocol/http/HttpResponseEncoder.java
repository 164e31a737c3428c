package io.github.tcpserver.protocol.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Serializes responses (RFC 9112 §4-§7) into one growable per-connection array, so that every
 * response answered from one read, pipelined ones included, leaves in a single write. Constant
 * header lines are pre-encoded; a header value is encoded char by char with no intermediate
 * string or array. A body up to {@link #INLINE_BODY} bytes is copied in; a larger one, a stream,
 * a file or chunks are left to an {@link HttpBodyWriter} ({@link #bodyFollows()}).
 */
final class HttpResponseEncoder {

	/** Above this the batch is written out before more is added, and the array is not kept. */
	static final int FLUSH_THRESHOLD = 64 * 1024;

	/** Array bodies up to this size are copied into the batch; larger ones are sent in slices. */
	static final int INLINE_BODY = FLUSH_THRESHOLD;

	private static final int INITIAL_CAPACITY = 512;

	private static final byte[] CRLF = { '\r', '\n' };

	private static final byte[] CONTENT_LENGTH = ascii("Content-Length: ");

	private static final byte[] CHUNKED = ascii("Transfer-Encoding: chunked\r\n");

	private static final byte[] CONNECTION_CLOSE = ascii("Connection: close\r\n");

	private static final byte[] CONNECTION_KEEP_ALIVE = ascii("Connection: keep-alive\r\n");

	private static final byte[] CONNECTION_UPGRADE = ascii("Connection: Upgrade\r\n");

	private static final byte[] CONTINUE = ascii("HTTP/1.1 100 Continue\r\n\r\n");

	private final byte[] serverLine;

	private byte[] out = new byte[INITIAL_CAPACITY];

	private int length;

	/** Whether the last response encoded has a body its caller must send: see {@link HttpBodyWriter}. */
	private boolean bodyFollows;

	/** Whether that body is to be framed as chunks. */
	private boolean chunkedBody;

	/**
	 * @param serverLine the pre-encoded {@code Server: ...\r\n} line
	 */
	HttpResponseEncoder(byte[] serverLine) {
		this.serverLine = serverLine;
	}

	static byte[] serverLine(String server) {
		HttpFieldSyntax.requireValue("Server", server);
		return ("Server: " + server + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
	}

	/** RFC 9110 §10.1.1: the interim response that tells the client to send the body. */
	void encodeContinue() {
		put(CONTINUE);
	}

	/**
	 * Appends one response.
	 * @param response what to send
	 * @param head whether the request was HEAD: header fields as for GET, no content (RFC 9110 §9.3.2)
	 * @param version the request's version: chunked coding only to HTTP/1.1 (RFC 9112 §6.1)
	 * @param keepAlive whether the connection stays open after this response
	 * @return whether the connection stays open: false when the body is close-delimited
	 */
	boolean encode(HttpResponse response, boolean head, HttpVersion version, boolean keepAlive) {
		this.bodyFollows = false;
		int status = response.statusCode();
		put(HttpStatus.statusLine(status));
		put(HttpDate.headerLine());
		put(this.serverLine);
		if (response.contentTypeLine() != null) {
			put(response.contentTypeLine());
		}
		HttpHeaders headers = response.rawHeaders();
		if (headers != null) {
			for (int i = 0; i < headers.size(); i++) {
				if (!isFraming(headers.name(i))) {
					// Checked again here: headers() is mutable after header(...), and nothing the
					// application put there may become a line of its own (response splitting). The
					// handler answers 500 instead of sending it.
					putLatin1(HttpFieldSyntax.requireName(headers.name(i)));
					put((byte) ':');
					put((byte) ' ');
					putLatin1(HttpFieldSyntax.requireValue(headers.name(i), headers.value(i)));
					put(CRLF);
				}
			}
			if (headers.containsToken("Connection", "close")) {
				keepAlive = false;
			}
		}
		// RFC 9110 §8.6 and §15.3.5/§15.4.5: no content and no Content-Length in 1xx, 204 and 304.
		boolean noContent = status < 200 || status == 204 || status == 304;
		long contentLength = response.knownLength();
		if (contentLength < 0 && !noContent && version == HttpVersion.HTTP_1_0) {
			// RFC 9112 §6.3 item 8: without chunked coding the body ends when the connection closes.
			keepAlive = false;
		}
		if (status == 101) {
			put(CONNECTION_UPGRADE); // RFC 9110 §7.8: the switch names the Upgrade field as a connection option
		}
		else {
			putConnection(keepAlive, version);
		}
		if (noContent) {
			put(CRLF);
		}
		else if (contentLength >= 0) {
			put(CONTENT_LENGTH);
			putDecimal(contentLength);
			put(CRLF);
			put(CRLF);
			if (!head && contentLength > 0) {
				if (response.hasSource() || contentLength > INLINE_BODY) {
					this.bodyFollows = true;
					this.chunkedBody = false;
				}
				else {
					put(response.body());
				}
			}
		}
		else if (version == HttpVersion.HTTP_1_0) {
			put(CRLF);
			this.bodyFollows = !head; // close-delimited
			this.chunkedBody = false;
		}
		else {
			put(CHUNKED);
			put(CRLF);
			this.bodyFollows = !head;
			this.chunkedBody = true;
		}
		return keepAlive;
	}

	/**
	 * @return whether the response just encoded has a body that is not in the batch: the caller
	 * sends it after the batch with an {@link HttpBodyWriter}
	 */
	boolean bodyFollows() {
		return this.bodyFollows;
	}

	/** @return whether the body that follows is framed as chunks (RFC 9112 §7.1) */
	boolean chunkedBody() {
		return this.chunkedBody;
	}

	private void putConnection(boolean keepAlive, HttpVersion version) {
		if (!keepAlive) {
			put(CONNECTION_CLOSE); // RFC 9112 §9.6: announce the close
		}
		else if (version == HttpVersion.HTTP_1_0) {
			put(CONNECTION_KEEP_ALIVE); // RFC 9112 §9.3: an HTTP/1.0 client needs to be told
		}
	}

	/** The server owns the framing (RFC 9112 §6): a handler's copy of these is dropped. */
	private static boolean isFraming(String name) {
		return name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")
				|| name.equalsIgnoreCase("Connection");
	}

	/** @return the bytes encoded so far */
	int length() {
		return this.length;
	}

	/** @return the encoded bytes, between 0 and {@link #length()} */
	ByteBuffer buffer() {
		return ByteBuffer.wrap(this.out, 0, this.length);
	}

	/**
	 * Drops what was encoded after {@code mark}: a response that failed half-way.
	 * @param mark a length returned by {@link #length()} before
	 */
	void truncate(int mark) {
		this.length = mark;
	}

	/** Forgets what was encoded, and a grown array with it, so idle connections stay small. */
	void reset() {
		this.length = 0;
		if (this.out.length > FLUSH_THRESHOLD) {
			this.out = new byte[INITIAL_CAPACITY];
		}
	}

	// ---------------------------------------------------------------- bytes

	private void ensure(int more) {
		if (this.length + more > this.out.length) {
			this.out = Arrays.copyOf(this.out, Math.max(this.out.length * 2, this.length + more));
		}
	}

	private void put(byte b) {
		ensure(1);
		this.out[this.length++] = b;
	}

	private void put(byte[] bytes) {
		ensure(bytes.length);
		System.arraycopy(bytes, 0, this.out, this.length, bytes.length);
		this.length += bytes.length;
	}

	private void putLatin1(String text) {
		int n = text.length();
		ensure(n);
		for (int i = 0; i < n; i++) {
			this.out[this.length++] = (byte) text.charAt(i);
		}
	}

	private void putDecimal(long value) {
		ensure(19);
		if (value == 0) {
			this.out[this.length++] = '0';
			return;
		}
		int digits = 0;
		for (long v = value; v > 0; v /= 10) {
			digits++;
		}
		for (int i = this.length + digits - 1; i >= this.length; i--) {
			this.out[i] = (byte) ('0' + value % 10);
			value /= 10;
		}
		this.length += digits;
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
