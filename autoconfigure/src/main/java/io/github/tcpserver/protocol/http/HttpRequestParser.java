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
 * parsed from there; body bytes are copied once into the body array, which grows as the bytes
 * arrive (never to a size the peer declared before sending it) and is charged to the shared
 * {@link RequestMemoryBudget}. Every limit violation and every framing ambiguity that could
 * enable request smuggling (RFC 9112 §11.2) throws an {@link HttpParseException} carrying the
 * status to answer; the parser is then unusable, as the connection must be closed.
 *
 * <h2>Where the RFC allows leniency, and what this parser does</h2>
 * Two parsers on one path (a proxy in front, this server behind) that frame the same bytes
 * differently are a smuggling vulnerability, so every choice below is the strict one unless the
 * lenient reading cannot change where a message ends.
 * <ul>
 * <li><b>Line endings</b> (§2.2 lets a recipient accept a bare LF in the start line and fields):
 * strict, CRLF only, a bare LF anywhere is 400. A proxy that splits only on CRLF would forward
 * {@code X: a
Transfer-Encoding: chunked} as one field that this parser would read as two. A
 * bare CR is 400 wherever it appears (§2.2: MUST reject or replace with SP).</li>
 * <li><b>Chunk framing</b> (§7.1): chunk-size lines and the CRLF after chunk-data accept CRLF
 * only; chunk extensions must match the §7.1.1 grammar exactly ({@code ;} name, optional
 * {@code =} token or quoted-string, BWS only where the grammar has it). A bare LF or CR there
 * is the "funky chunks" class (Go CVE-2025-22871, Netty CVE-2025-58056): 400.</li>
 * <li><b>Empty lines before the request line</b> (§2.2: SHOULD ignore at least one): up to
 * {@value #MAX_LEADING_EMPTY_LINES} CRLFs are skipped, more is 400 (they only cost CPU).</li>
 * <li><b>Request line</b> (§3): single SPs, a token method, no whitespace or control or non-ASCII
 * byte in the target, the version exactly {@code HTTP/1.x}; anything else 400. Targets in
 * origin-form, absolute-form with an {@code http} or {@code https} scheme and a non-empty
 * authority (§3.2.2: a server MUST accept it), or {@code *} for OPTIONS; CONNECT's
 * authority-form is 400 (no tunnels here).</li>
 * <li><b>Field lines</b> (§5): no whitespace before the colon (§5.1, MUST reject), no obsolete
 * line folding (§5.2, 400), values without CTLs other than HTAB (RFC 9110 §5.5). obs-text
 * (bytes 0x80-0xFF) in values is accepted as ISO-8859-1: RFC 9110 §5.5 allows it and no field
 * that frames the message may contain it.</li>
 * <li><b>Host</b> (§3.2): exactly one in HTTP/1.1 and a valid value ({@code uri-host [":" port]},
 * RFC 3986 §3.2.2), else 400, as the RFC requires. With an absolute-form target, the target's
 * authority (validated the same way, no userinfo) replaces the Host field (§3.2.2: the server
 * MUST ignore Host), so the application sees the host a proxy in front routed by.</li>
 * <li><b>Content-Length</b> (RFC 9110 §8.6): digits only; a list or repeated field is accepted
 * only when every member is the same number (the RFC allows it, and identical values frame the
 * message identically for every reader); differing values 400.</li>
 * <li><b>Transfer-Encoding</b> (§6.1, §6.3): with Content-Length 400 (the classic vector; the RFC
 * lets the server choose, we refuse); in HTTP/1.0 400; chunked must be the only coding (501 for
 * others, 400 when it is not the last).</li>
 * <li><b>Trailers</b> (§7.1.2): parsed with the same rules as fields and kept apart from the
 * header fields, never merged, so no trailer can change framing, routing or authentication.</li>
 * </ul>
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

	/** Empty lines skipped before a request line (§2.2) before the input is refused. */
	static final int MAX_LEADING_EMPTY_LINES = 8;

	/** First capacity of a body buffer; it doubles as bytes arrive, up to what is needed. */
	static final int INITIAL_BODY_CAPACITY = 8 * 1024;

	/** Field names interned to one constant string, so common fields allocate no name. */
	private static final String[] KNOWN_NAMES = { "Host", "Connection", "Content-Length", "Content-Type",
			"Transfer-Encoding", "Expect", "Accept", "Accept-Encoding", "Accept-Language", "User-Agent", "Cookie",
			"Upgrade", "Cache-Control", "Pragma", "Referer", "Origin", "Authorization", "Keep-Alive" };

	private static final String[] KNOWN_METHODS = { "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
			"TRACE", "CONNECT" };

	private final HttpLimits limits;

	private final RequestMemoryBudget budget;

	/** Bytes of {@link #body}'s capacity taken from the budget, given back at complete or close. */
	private long reserved;

	private int leadingEmptyLines;

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

	/** The declared Content-Length of a fixed-length body. */
	private int declaredLength;

	private long chunkRemaining;

	private boolean expectContinue;

	private String failure;

	/**
	 * @param limits the bounds of request line, header section and body
	 */
	public HttpRequestParser(HttpLimits limits) {
		this.limits = limits;
		this.budget = limits.requestMemory();
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
					if (this.lineLength > 0) {
						this.leadingEmptyLines = 0;
						requestLine();
						this.state = State.HEADERS;
					}
					else if (++this.leadingEmptyLines > MAX_LEADING_EMPTY_LINES) {
						// §2.2: ignoring empty lines before the request line is a courtesy, not a loop.
						throw new HttpParseException(400, "More than " + MAX_LEADING_EMPTY_LINES
								+ " empty lines before the request line");
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
					int n = Math.min(in.remaining(), this.declaredLength - this.bodyLength);
					ensureBodyCapacity(this.bodyLength + n, this.declaredLength);
					in.get(this.body, this.bodyLength, n);
					this.bodyLength += n;
					if (this.bodyLength < this.declaredLength) {
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
						this.state = State.CHUNK_DATA;
					}
				}
				case CHUNK_DATA -> {
					int n = (int) Math.min(in.remaining(), this.chunkRemaining);
					// Grown for the bytes at hand only: the chunk-size is the peer's word, not memory to set aside.
					ensureBodyCapacity(this.bodyLength + n, this.limits.maxBodySize());
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

	/** @return whether the header section of a request with a body is in and its body is arriving */
	public boolean isReadingBody() {
		return this.state == State.FIXED_BODY || this.state == State.CHUNK_SIZE || this.state == State.CHUNK_DATA
				|| this.state == State.CHUNK_DATA_END || this.state == State.TRAILERS;
	}

	/** @return bytes of the current request's body received so far (de-chunked) */
	public int bodyBytesReceived() {
		return this.bodyLength;
	}

	/**
	 * Gives back the memory of a request that will not complete (its connection closed). The
	 * parser is unusable afterwards. Idempotent.
	 */
	public void release() {
		this.budget.release(this.reserved);
		this.reserved = 0;
		this.body = null;
		this.state = State.BAD;
		if (this.failure == null) {
			this.failure = "released";
		}
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
	 * Appends bytes up to the next LF to {@link #line}. A line ends with CRLF only: a bare LF is
	 * 400 (see the class comment, §2.2); a CR anywhere else is rejected by the line parsers.
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
		if (this.lineLength == 0 || this.line[this.lineLength - 1] != CR) {
			throw new HttpParseException(400, "Bare LF in the " + what + " (only CRLF ends a line)");
		}
		this.lineLength--;
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

	/** §3.2.2 absolute-form: {@code http://} or {@code https://} then a non-empty authority. */
	private static boolean startsWithScheme(String target) {
		int authority;
		if (target.regionMatches(true, 0, "http://", 0, 7)) {
			authority = 7;
		}
		else if (target.regionMatches(true, 0, "https://", 0, 8)) {
			authority = 8;
		}
		else {
			return false;
		}
		return authority < target.length() && target.charAt(authority) != '/' && target.charAt(authority) != '?';
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

	/**
	 * RFC 9112 §7.1: {@code chunk-size [ chunk-ext ]}, chunk-size = 1*HEXDIG, and §7.1.1:
	 * {@code chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )}, name a
	 * token, value a token or quoted-string. Checked exactly; extensions are then ignored.
	 */
	private long chunkSize() {
		byte[] b = this.line;
		int length = this.lineLength;
		int i = 0;
		long size = 0;
		while (i < length) {
			int digit = hexValue(b[i]);
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
			throw new HttpParseException(400, "Malformed chunk-size line: no chunk-size");
		}
		while (i < length) {
			i = skipBws(b, i, length);
			if (i == length || b[i] != ';') {
				// Whitespace not followed by an extension, or any other byte after the size.
				throw new HttpParseException(400, "Malformed chunk-size line");
			}
			i = skipBws(b, i + 1, length);
			int name = i;
			while (i < length && isTchar(b[i])) {
				i++;
			}
			if (i == name) {
				throw new HttpParseException(400, "Malformed chunk extension: no name");
			}
			int afterName = skipBws(b, i, length);
			if (afterName < length && b[afterName] == '=') {
				i = skipBws(b, afterName + 1, length);
				i = (i < length && b[i] == '"') ? quotedString(b, i, length) : token(b, i, length);
			}
		}
		return size;
	}

	private static int skipBws(byte[] b, int i, int length) {
		while (i < length && (b[i] == ' ' || b[i] == '\t')) {
			i++;
		}
		return i;
	}

	private static int token(byte[] b, int from, int length) {
		int i = from;
		while (i < length && isTchar(b[i])) {
			i++;
		}
		if (i == from) {
			throw new HttpParseException(400, "Malformed chunk extension: no value");
		}
		return i;
	}

	/** RFC 9110 §5.6.4: DQUOTE *( qdtext / quoted-pair ) DQUOTE, no CTL but HTAB. */
	private static int quotedString(byte[] b, int from, int length) {
		for (int i = from + 1; i < length; i++) {
			int c = b[i] & 0xff;
			if (c == '"') {
				return i + 1;
			}
			if (c == '\\') {
				i++;
				if (i == length) {
					break;
				}
				c = b[i] & 0xff;
			}
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				throw new HttpParseException(400, "Invalid character in a chunk extension");
			}
		}
		throw new HttpParseException(400, "Malformed chunk extension: unterminated quoted-string");
	}

	private static int hexValue(byte b) {
		if (b >= '0' && b <= '9') {
			return b - '0';
		}
		if (b >= 'a' && b <= 'f') {
			return b - 'a' + 10;
		}
		if (b >= 'A' && b <= 'F') {
			return b - 'A' + 10;
		}
		return -1;
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
		if (hosts == 1 && !isValidHost(h.get("Host"))) {
			throw new HttpParseException(400, "Invalid Host header");
		}
		if (this.target.charAt(0) != '/' && !this.target.equals("*")) {
			// §3.2.2: with absolute-form the target's authority is the host; Host MUST be ignored.
			// Replaced, so that the application routes by what a proxy in front routed by.
			String authority = authorityOf(this.target);
			if (!isValidHost(authority)) {
				throw new HttpParseException(400, "Invalid authority in the request target");
			}
			h.set("Host", authority);
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
			this.body = NO_BODY;
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
		// Nothing allocated yet: the buffer grows as the body arrives (see ensureBodyCapacity).
		this.body = NO_BODY;
		this.declaredLength = (int) length;
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

	/**
	 * Grows the body buffer to hold {@code needed} bytes that have arrived: doubling, from
	 * {@link #INITIAL_BODY_CAPACITY}, never past {@code cap}; each growth is taken from the budget.
	 */
	private void ensureBodyCapacity(int needed, int cap) {
		if (needed <= this.body.length) {
			return;
		}
		int capacity = (int) Math.min(cap, Math.max(needed, Math.max(INITIAL_BODY_CAPACITY, this.body.length * 2L)));
		long growth = capacity - this.body.length;
		if (!this.budget.tryReserve(growth)) {
			throw new HttpParseException(503, "Request memory budget of " + this.budget.max()
					+ " bytes spent by bodies being received; refusing this one");
		}
		this.reserved += growth;
		this.body = Arrays.copyOf(this.body, capacity);
	}

	/**
	 * RFC 9110 §7.2 / RFC 3986 §3.2.2-3.2.3: {@code uri-host [ ":" port ]}: an IP-literal in
	 * brackets, or a reg-name / IPv4 address of unreserved, pct-encoded and sub-delim characters,
	 * then an optional colon and digits. No userinfo ({@code @}), path, space or control.
	 */
	static boolean isValidHost(String host) {
		int length = host.length();
		int end;
		if (length > 0 && host.charAt(0) == '[') {
			end = host.indexOf(']');
			if (end < 2) {
				return false;
			}
			for (int i = 1; i < end; i++) {
				char c = host.charAt(i);
				if (!(isHexDigit(c) || c == ':' || c == '.')) {
					return false;
				}
			}
			end++;
		}
		else {
			end = host.indexOf(':');
			end = (end < 0) ? length : end;
			if (end == 0) {
				return false; // an empty host; absolute-form without one is refused earlier
			}
			for (int i = 0; i < end; i++) {
				char c = host.charAt(i);
				if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
						|| "-._~!$&'()*+,;=%".indexOf(c) >= 0)) {
					return false;
				}
			}
		}
		if (end == length) {
			return true;
		}
		if (host.charAt(end) != ':') {
			return false;
		}
		for (int i = end + 1; i < length; i++) {
			if (host.charAt(i) < '0' || host.charAt(i) > '9') {
				return false;
			}
		}
		return true;
	}

	private static boolean isHexDigit(char c) {
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	}

	/** @return the authority of an absolute-form target (§3.2.2), between "://" and the path or query */
	private static String authorityOf(String target) {
		int from = target.indexOf("://") + 3;
		int to = from;
		while (to < target.length() && target.charAt(to) != '/' && target.charAt(to) != '?'
				&& target.charAt(to) != '#') {
			to++;
		}
		return target.substring(from, to);
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
		// The body now belongs to the application: it is no longer a partial request's memory.
		this.budget.release(this.reserved);
		this.reserved = 0;
		if (this.bodyLength > 0) {
			request.body((this.bodyLength == this.body.length) ? this.body : Arrays.copyOf(this.body, this.bodyLength));
		}
		if (this.trailers != null) {
			request.trailers(this.trailers);
		}
		this.body = null;
		this.bodyLength = 0;
		this.declaredLength = 0;
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
		return HttpFieldSyntax.isTchar(b);
	}

	private static boolean isToken(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (!HttpFieldSyntax.isTchar(c)) {
				return false;
			}
		}
		return !text.isEmpty();
	}

}
