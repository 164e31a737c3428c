package io.github.tcpserver.protocol.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns the bytes of one connection into {@link HttpRequest}s (RFC 9112), across any read
 * boundaries: an {@code enum State} and one transition per case, in the manner of Netty's
 * {@code HttpObjectDecoder}. Pure: bytes in, requests out, no I/O; one instance per connection.
 * <p>
 * Lines are copied once into a small per-connection array (grown up to the limit in force) and
 * parsed from there; body bytes are copied once into the body array. Every limit violation and
 * every framing ambiguity that could enable request smuggling (RFC 9112 §11.2) throws an
 * {@link HttpParseException} carrying the status to answer; the parser is then unusable, as the
 * connection must be closed.
 */
public final class HttpRequestParser {

	/** Where the parser is in the message (RFC 9112 §2.1: start-line, fields, CRLF, body). */
	enum State {

		/** Waiting for the request line (§3), skipping empty lines before it (§2.2). */
		REQUEST_LINE,

		/** Reading field lines (§5) up to the empty line. */
		HEADERS,

		/** Reading a body of known Content-Length (§6.2). */
		FIXED_BODY,

		/** Reading a chunk-size line with optional extensions (§7.1). */
		CHUNK_SIZE,

		/** Reading chunk-data (§7.1). */
		CHUNK_DATA,

		/** Reading the CRLF that ends chunk-data (§7.1). */
		CHUNK_DATA_END,

		/** Reading the trailer section after the last chunk (§7.1.2). */
		TRAILERS,

		/** A request was rejected; the connection is out of sync. */
		BAD

	}

	private static final byte CR = '\r';

	private static final byte LF = '\n';

	private static final byte[] NO_BODY = new byte[0];

	/** Field names interned to one constant string, so common fields allocate no name. */
	private static final String[] KNOWN_NAMES = { "Host", "Connection", "Content-Length", "Content-Type",
			"Transfer-Encoding", "Expect", "Accept", "Accept-Encoding", "Accept-Language", "User-Agent", "Cookie",
			"Upgrade", "Cache-Control", "Pragma", "Referer", "Origin", "Authorization", "Keep-Alive" };

	private static final String[] KNOWN_METHODS = { "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
			"TRACE", "CONNECT" };

	/** RFC 9110 §5.6.2 tchar, as a lookup table. */
	private static final boolean[] TCHAR = new boolean[128];

	static {
		for (char c = '0'; c <= '9'; c++) {
			TCHAR[c] = true;
		}
		for (char c = 'a'; c <= 'z'; c++) {
			TCHAR[c] = true;
			TCHAR[c - 32] = true;
		}
		for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
			TCHAR[c] = true;
		}
	}

	private final HttpLimits limits;

	private State state = State.REQUEST_LINE;

	/** The line being read, without its CRLF; carried across reads. */
	private byte[] line = new byte[256];

	private int lineLength;

	/** Set once a line is complete, so that the next readLine starts a new one. */
	private boolean lineEnded;

	/** Bytes of the header (or trailer) section so far, CRLFs included, against maxHeaderSize. */
	private int sectionSize;

	// The request being assembled.
	private String method;

	private String target;

	private HttpVersion version;

	private HttpHeaders headers;

	private HttpHeaders trailers;

	private byte[] body;

	private int bodyLength;

	private long chunkRemaining;

	private boolean expectContinue;

	private String failure;

	/**
	 * @param limits the bounds of request line, header section and body
	 */
	public HttpRequestParser(HttpLimits limits) {
		this.limits = limits;
	}

	/**
	 * Consumes bytes from {@code in} until one request is complete or {@code in} is empty. Bytes
	 * after a complete request are left in {@code in} (pipelining): call again for the next.
	 * @param in the bytes received, between position and limit
	 * @return the request completed by these bytes, or {@code null} if more are needed
	 * @throws HttpParseException if the bytes are not an acceptable request; the parser is then
	 * unusable
	 */
	public HttpRequest parse(ByteBuffer in) {
		try {
			return advance(in);
		}
		catch (HttpParseException ex) {
			this.state = State.BAD;
			this.failure = ex.getMessage();
			throw ex;
		}
	}

	private HttpRequest advance(ByteBuffer in) {
		while (true) {
			switch (this.state) {
				case REQUEST_LINE -> {
					if (!readLine(in, this.limits.maxRequestLine(), 414, "request line")) {
						return null;
					}
					if (this.lineLength > 0) { // §2.2: ignore empty lines before the request line
						requestLine();
						this.state = State.HEADERS;
					}
				}
				case HEADERS -> {
					if (!readLine(in, this.limits.maxHeaderSize() - this.sectionSize, 431, "header section")) {
						return null;
					}
					this.sectionSize += this.lineLength + 2;
					if (this.lineLength > 0) {
						fieldLine(this.headers);
					}
					else {
						this.state = headersComplete();
						if (this.state == State.REQUEST_LINE) {
							return complete();
						}
					}
				}
				case FIXED_BODY -> {
					int n = Math.min(in.remaining(), this.body.length - this.bodyLength);
					in.get(this.body, this.bodyLength, n);
					this.bodyLength += n;
					if (this.bodyLength < this.body.length) {
						return null;
					}
					this.state = State.REQUEST_LINE;
					return complete();
				}
				case CHUNK_SIZE -> {
					if (!readLine(in, this.limits.maxRequestLine(), 400, "chunk-size line")) {
						return null;
					}
					this.chunkRemaining = chunkSize();
					if (this.chunkRemaining == 0) {
						this.sectionSize = 0;
						this.state = State.TRAILERS;
					}
					else {
						ensureBodyCapacity(this.bodyLength + this.chunkRemaining);
						this.state = State.CHUNK_DATA;
					}
				}
				case CHUNK_DATA -> {
					int n = (int) Math.min(in.remaining(), this.chunkRemaining);
					in.get(this.body, this.bodyLength, n);
					this.bodyLength += n;
					this.chunkRemaining -= n;
					if (this.chunkRemaining > 0) {
						return null;
					}
					this.state = State.CHUNK_DATA_END;
				}
				case CHUNK_DATA_END -> {
					if (!readLine(in, 0, 400, "CRLF after chunk-data")) {
						return null;
					}
					this.state = State.CHUNK_SIZE;
				}
				case TRAILERS -> {
					if (!readLine(in, this.limits.maxHeaderSize() - this.sectionSize, 431, "trailer section")) {
						return null;
					}
					this.sectionSize += this.lineLength + 2;
					if (this.lineLength > 0) {
						if (this.trailers == null) {
							this.trailers = new HttpHeaders(2);
						}
						fieldLine(this.trailers);
					}
					else {
						this.state = State.REQUEST_LINE;
						return complete();
					}
				}
				case BAD -> throw new IllegalStateException("The parser rejected a request (" + this.failure
						+ "); the connection must be closed");
			}
		}
	}

	/**
	 * Once the header section of a request with a body is complete: whether the client sent
	 * {@code Expect: 100-continue} and waits for an interim response before sending the body
	 * (RFC 9110 §10.1.1). Returns {@code true} at most once per request.
	 * @return whether to send {@code 100 Continue} now
	 */
	public boolean takeExpectContinue() {
		if (this.expectContinue && (this.state == State.FIXED_BODY || this.state == State.CHUNK_SIZE)) {
			this.expectContinue = false;
			return true;
		}
		return false;
	}

	/** @return whether no part of a request is buffered: the parser is between requests */
	public boolean isIdle() {
		return this.state == State.REQUEST_LINE && (this.lineLength == 0 || this.lineEnded);
	}

	/** @return whether part of a request line or header section has arrived but not all of it */
	public boolean isReadingHead() {
		return this.state == State.HEADERS || (this.state == State.REQUEST_LINE && !isIdle());
	}

	State state() {
		return this.state;
	}

	// ---------------------------------------------------------------- lines

	/**
	 * Appends bytes up to the next LF to {@link #line}. §2.2: a line ends with CRLF; a bare LF is
	 * accepted as a line terminator too, a CR anywhere else is rejected by the line parsers.
	 * @param limit the most bytes the line may have, without CRLF
	 * @return whether the line is complete; its length (without CRLF) is then in lineLength
	 */
	private boolean readLine(ByteBuffer in, int limit, int status, String what) {
		if (this.lineEnded) {
			this.lineLength = 0;
			this.lineEnded = false;
		}
		int start = in.position();
		int end = in.limit();
		int lf = -1;
		for (int i = start; i < end; i++) {
			if (in.get(i) == LF) {
				lf = i;
				break;
			}
		}
		int n = ((lf < 0) ? end : lf) - start;
		// One byte of slack for the CR of CRLF, which is not part of the line.
		if (this.lineLength + n > limit + 1) {
			throw new HttpParseException(status, "The " + what + " is longer than " + Math.max(limit, 0) + " bytes");
		}
		if (this.lineLength + n > this.line.length) {
			this.line = Arrays.copyOf(this.line, Math.max(this.line.length * 2, this.lineLength + n));
		}
		in.get(this.line, this.lineLength, n);
		this.lineLength += n;
		if (lf < 0) {
			return false;
		}
		in.get(); // the LF
		if (this.lineLength > 0 && this.line[this.lineLength - 1] == CR) {
			this.lineLength--;
		}
		else if (this.lineLength > limit) {
			throw new HttpParseException(status, "The " + what + " is longer than " + Math.max(limit, 0) + " bytes");
		}
		this.lineEnded = true;
		return true;
	}

	/** RFC 9112 §3: request-line = method SP request-target SP HTTP-version. */
	private void requestLine() {
		byte[] b = this.line;
		int length = this.lineLength;
		int sp1 = indexOf(b, 0, length, (byte) ' ');
		if (sp1 <= 0) {
			throw new HttpParseException(400, "Malformed request line: no method");
		}
		for (int i = 0; i < sp1; i++) {
			if (!isTchar(b[i])) {
				throw new HttpParseException(400, "Malformed request line: invalid method");
			}
		}
		int sp2 = indexOf(b, sp1 + 1, length, (byte) ' ');
		if (sp2 < 0 || sp2 == sp1 + 1) {
			throw new HttpParseException(400, "Malformed request line: no request target");
		}
		for (int i = sp1 + 1; i < sp2; i++) {
			// §3.2: the target has no whitespace or control characters; §3.2 of RFC 3986: ASCII only.
			if (b[i] <= 0x20 || b[i] >= 0x7f) {
				throw new HttpParseException(400, "Malformed request line: invalid character in request target");
			}
		}
		this.version = version(b, sp2 + 1, length);
		this.method = method(b, sp1);
		// "/" (health probes, load balancers, benchmarks) is common enough to share one string.
		this.target = (sp2 - sp1 == 2 && b[sp1 + 1] == '/') ? "/"
				: new String(b, sp1 + 1, sp2 - sp1 - 1, StandardCharsets.ISO_8859_1);
		if (this.target.equals("*") ? !this.method.equals("OPTIONS") : this.target.charAt(0) != '/'
				&& !startsWithScheme(this.target)) {
			// §3.2: origin-form, absolute-form, or asterisk-form for OPTIONS; no CONNECT here.
			throw new HttpParseException(400, "Unsupported request target form: " + this.target);
		}
		this.headers = new HttpHeaders();
		this.trailers = null;
		this.sectionSize = 0;
		this.expectContinue = false;
	}

	/** RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive. */
	private static HttpVersion version(byte[] b, int from, int to) {
		if (to - from != 8 || b[from] != 'H' || b[from + 1] != 'T' || b[from + 2] != 'T' || b[from + 3] != 'P'
				|| b[from + 4] != '/' || !isDigit(b[from + 5]) || b[from + 6] != '.' || !isDigit(b[from + 7])) {
			throw new HttpParseException(400, "Malformed request line: invalid HTTP version");
		}
		if (b[from + 5] != '1') {
			throw new HttpParseException(505, "HTTP version " + (char) b[from + 5] + "." + (char) b[from + 7]
					+ " is not supported");
		}
		// RFC 9110 §6.2: a later minor version of 1.x is answered as 1.1.
		return (b[from + 7] == '0') ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
	}

	private static String method(byte[] b, int length) {
		for (String known : KNOWN_METHODS) {
			if (known.length() == length && regionEquals(b, 0, known, false)) {
				return known;
			}
		}
		return new String(b, 0, length, StandardCharsets.ISO_8859_1);
	}

	private static boolean startsWithScheme(String target) {
		int colon = target.indexOf("://");
		return colon > 0 && target.regionMatches(true, 0, "http", 0, 4);
	}

	/** RFC 9112 §5: field-line = field-name ":" OWS field-value OWS. */
	private void fieldLine(HttpHeaders into) {
		byte[] b = this.line;
		int length = this.lineLength;
		if (b[0] == ' ' || b[0] == '\t') {
			// §5.2: obsolete line folding may be rejected with 400 outside message/http.
			throw new HttpParseException(400, "Obsolete line folding in the header section");
		}
		int colon = 0;
		while (colon < length && b[colon] != ':') {
			if (!isTchar(b[colon])) {
				// §5.1: no whitespace between name and colon; a server MUST reject it with 400.
				throw new HttpParseException(400, "Invalid character in a field name");
			}
			colon++;
		}
		if (colon == length || colon == 0) {
			throw new HttpParseException(400, "Malformed field line: no field name or colon");
		}
		int from = colon + 1;
		int to = length;
		while (from < to && (b[from] == ' ' || b[from] == '\t')) {
			from++;
		}
		while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) {
			to--;
		}
		for (int i = from; i < to; i++) {
			// RFC 9110 §5.5: CR, LF and NUL are never allowed in a value; other controls but HTAB aren't vchar.
			int c = b[i] & 0xff;
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				throw new HttpParseException(400, "Invalid character in a field value");
			}
		}
		into.add(fieldName(b, colon), new String(b, from, to - from, StandardCharsets.ISO_8859_1));
	}

	private static String fieldName(byte[] b, int length) {
		for (String known : KNOWN_NAMES) {
			if (known.length() == length && regionEquals(b, 0, known, true)) {
				return known;
			}
		}
		return new String(b, 0, length, StandardCharsets.ISO_8859_1);
	}

	/** RFC 9112 §7.1: chunk-size [ chunk-ext ], chunk-size = 1*HEXDIG. */
	private long chunkSize() {
		byte[] b = this.line;
		int i = 0;
		long size = 0;
		while (i < this.lineLength) {
			int digit = Character.digit(b[i], 16);
			if (digit < 0) {
				break;
			}
			size = size * 16 + digit;
			if (this.bodyLength + size > this.limits.maxBodySize()) {
				throw new HttpParseException(413, "The chunked body is larger than " + this.limits.maxBodySize()
						+ " bytes");
			}
			i++;
		}
		if (i == 0) {
			throw new HttpParseException(400, "Malformed chunk-size line");
		}
		// The rest may be chunk extensions (";" name["=" value]), after optional whitespace (BWS); ignored.
		while (i < this.lineLength && (b[i] == ' ' || b[i] == '\t')) {
			i++;
		}
		if (i < this.lineLength && b[i] != ';') {
			throw new HttpParseException(400, "Malformed chunk-size line");
		}
		for (; i < this.lineLength; i++) {
			if (b[i] == CR || b[i] == 0) {
				throw new HttpParseException(400, "Invalid character in a chunk extension");
			}
		}
		return size;
	}

	// ---------------------------------------------------------------- end of the header section

	/**
	 * The header section is complete: decide the message body length (RFC 9112 §6.3) and refuse
	 * anything ambiguous, as a front-end proxy might frame the request differently (§11.2).
	 * @return the next state: {@code REQUEST_LINE} when the request has no body
	 */
	private State headersComplete() {
		HttpHeaders h = this.headers;
		// §3.2: a server MUST respond 400 to an HTTP/1.1 request without Host or with several.
		int hosts = h.getAll("Host").size();
		if (hosts > 1 || (hosts == 0 && this.version == HttpVersion.HTTP_1_1)) {
			throw new HttpParseException(400, (hosts == 0) ? "Missing Host header" : "More than one Host header");
		}
		String expect = h.get("Expect");
		if (expect != null) {
			if (!expect.equalsIgnoreCase("100-continue")) {
				// RFC 9110 §10.1.1: an expectation other than 100-continue may be answered 417.
				throw new HttpParseException(417, "Unsupported expectation: " + expect);
			}
			// RFC 9110 §10.1.1: ignore 100-continue from an HTTP/1.0 client.
			this.expectContinue = this.version == HttpVersion.HTTP_1_1;
		}
		this.bodyLength = 0;
		if (h.contains("Transfer-Encoding")) {
			if (h.contains("Content-Length")) {
				// §6.1: both framings: the classic smuggling vector; refuse rather than pick one.
				throw new HttpParseException(400, "Both Transfer-Encoding and Content-Length are present");
			}
			if (this.version == HttpVersion.HTTP_1_0) {
				// §6.1: HTTP/1.0 has no transfer codings; framing is not trustworthy.
				throw new HttpParseException(400, "Transfer-Encoding in an HTTP/1.0 request");
			}
			chunkedOnly(h);
			this.body = new byte[Math.min(this.limits.maxBodySize(), 1024)];
			return State.CHUNK_SIZE;
		}
		long length = contentLength(h);
		if (length > this.limits.maxBodySize()) {
			// RFC 9110 §15.5.14: 413, before any of the body is read.
			throw new HttpParseException(413, "Content-Length " + length + " is larger than "
					+ this.limits.maxBodySize() + " bytes");
		}
		if (length <= 0) {
			this.body = NO_BODY;
			return State.REQUEST_LINE;
		}
		this.body = new byte[(int) length];
		return State.FIXED_BODY;
	}

	/** §6.3 item 4: chunked must be the final (here: the only) transfer coding. */
	private static void chunkedOnly(HttpHeaders h) {
		int codings = 0;
		boolean chunkedLast = false;
		for (int i = 0; i < h.size(); i++) {
			if (!h.name(i).equalsIgnoreCase("Transfer-Encoding")) {
				continue;
			}
			for (String coding : h.value(i).split(",")) {
				String name = coding.trim();
				if (name.isEmpty()) {
					continue;
				}
				codings++;
				chunkedLast = name.equalsIgnoreCase("chunked");
				if (!chunkedLast && !isToken(name)) {
					throw new HttpParseException(400, "Malformed Transfer-Encoding");
				}
			}
		}
		if (!chunkedLast) {
			throw new HttpParseException(400, "The final transfer coding is not chunked");
		}
		if (codings > 1) {
			// §6.1: a coding we don't implement (gzip, or chunked twice) is answered 501.
			throw new HttpParseException(501, "Transfer codings other than a single chunked are not implemented");
		}
	}

	/**
	 * RFC 9110 §8.6: Content-Length = 1*DIGIT; several fields, or a list, are accepted only if
	 * every value is the same (a recipient may then use it), anything else is 400.
	 * @return the length, or -1 when there is none
	 */
	private static long contentLength(HttpHeaders h) {
		long length = -1;
		for (int i = 0; i < h.size(); i++) {
			if (!h.name(i).equalsIgnoreCase("Content-Length")) {
				continue;
			}
			String value = h.value(i);
			int start = 0;
			while (start <= value.length()) {
				int comma = value.indexOf(',', start);
				int end = (comma < 0) ? value.length() : comma;
				long parsed = digits(value, start, end);
				if (length >= 0 && parsed != length) {
					throw new HttpParseException(400, "Conflicting Content-Length values");
				}
				length = parsed;
				start = end + 1;
			}
		}
		return length;
	}

	private static long digits(String value, int from, int to) {
		while (from < to && value.charAt(from) == ' ') {
			from++;
		}
		while (to > from && value.charAt(to - 1) == ' ') {
			to--;
		}
		if (from == to) {
			throw new HttpParseException(400, "Malformed Content-Length");
		}
		long n = 0;
		for (int i = from; i < to; i++) {
			char c = value.charAt(i);
			if (c < '0' || c > '9') {
				throw new HttpParseException(400, "Malformed Content-Length");
			}
			n = n * 10 + (c - '0');
			if (n > Integer.MAX_VALUE) {
				return Long.MAX_VALUE; // valid but beyond any body limit: 413, not 400
			}
		}
		return n;
	}

	private void ensureBodyCapacity(long needed) {
		if (needed > this.body.length) {
			int capacity = (int) Math.min(this.limits.maxBodySize(), Math.max(needed, this.body.length * 2L));
			this.body = Arrays.copyOf(this.body, capacity);
		}
	}

	private HttpRequest complete() {
		boolean keepAlive = (this.version == HttpVersion.HTTP_1_1) ? !this.headers.containsToken("Connection", "close")
				: this.headers.containsToken("Connection", "keep-alive");
		String path = this.target;
		String query = null;
		int question = path.indexOf('?');
		if (question >= 0) {
			query = path.substring(question + 1);
			path = path.substring(0, question);
		}
		if (path.charAt(0) != '/' && !path.equals("*")) {
			// absolute-form (§3.2.2): the path starts after the authority.
			int slash = path.indexOf('/', path.indexOf("://") + 3);
			path = (slash < 0) ? "/" : path.substring(slash);
		}
		HttpRequest request = new HttpRequest(this.method, this.target, path, query, this.version, this.headers,
				keepAlive);
		if (this.bodyLength > 0) {
			request.body((this.bodyLength == this.body.length) ? this.body : Arrays.copyOf(this.body, this.bodyLength));
		}
		if (this.trailers != null) {
			request.trailers(this.trailers);
		}
		this.body = null;
		this.headers = null;
		this.trailers = null;
		this.expectContinue = false;
		return request;
	}

	// ---------------------------------------------------------------- bytes

	private static int indexOf(byte[] b, int from, int to, byte value) {
		for (int i = from; i < to; i++) {
			if (b[i] == value) {
				return i;
			}
		}
		return -1;
	}

	private static boolean regionEquals(byte[] b, int offset, String text, boolean ignoreCase) {
		for (int i = 0; i < text.length(); i++) {
			int c = b[offset + i];
			int t = text.charAt(i);
			if (c != t && (!ignoreCase || (c | 0x20) != (t | 0x20) || !isLetter(t))) {
				return false;
			}
		}
		return true;
	}

	private static boolean isLetter(int c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	}

	private static boolean isDigit(byte b) {
		return b >= '0' && b <= '9';
	}

	private static boolean isTchar(byte b) {
		return b >= 0 && TCHAR[b];
	}

	private static boolean isToken(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c >= 128 || !TCHAR[c]) {
				return false;
			}
		}
		return !text.isEmpty();
	}

}
