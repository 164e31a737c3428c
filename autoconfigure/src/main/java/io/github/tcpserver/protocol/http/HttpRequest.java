package io.github.tcpserver.protocol.http;

import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * One parsed request (RFC 9112 §3): the request line split into method, path and query, the
 * header fields and the complete body. Built by {@link HttpRequestParser}; read-only to handlers.
 */
public final class HttpRequest {

	private static final byte[] NO_BODY = new byte[0];

	private final String method;

	private final String target;

	private final String path;

	private final String query;

	private final HttpVersion version;

	private final HttpHeaders headers;

	private byte[] body = NO_BODY;

	private HttpHeaders trailers;

	private final boolean keepAlive;

	/** The route that matched, set by {@link HttpRouter}; {@code null} when none did. */
	private String route;

	/** The client, as the connection sees it; {@code null} for a request built by hand. */
	private InetSocketAddress remoteAddress;

	/** The balancer that sent a PROXY protocol header, else {@code null}. */
	private InetSocketAddress proxyAddress;

	HttpRequest(String method, String target, String path, String query, HttpVersion version, HttpHeaders headers,
			boolean keepAlive) {
		this.method = method;
		this.target = target;
		this.path = path;
		this.query = query;
		this.version = version;
		this.headers = headers;
		this.keepAlive = keepAlive;
	}

	/**
	 * A request built by hand, for tests of handlers and routers.
	 * @param method the method, such as {@code GET}
	 * @param target the request target in origin-form, such as {@code /search?q=x}
	 * @param headers the header fields
	 * @param body the body
	 * @return the request, HTTP/1.1 and persistent
	 */
	public static HttpRequest of(String method, String target, HttpHeaders headers, byte[] body) {
		int question = target.indexOf('?');
		HttpRequest request = new HttpRequest(method, target, (question < 0) ? target : target.substring(0, question),
				(question < 0) ? null : target.substring(question + 1), HttpVersion.HTTP_1_1, headers, true);
		request.body = body;
		return request;
	}

	void body(byte[] body) {
		this.body = body;
	}

	void route(String route) {
		this.route = route;
	}

	void connection(io.github.tcpserver.core.Connection connection) {
		this.remoteAddress = connection.remoteAddress();
		this.proxyAddress = connection.proxyAddress();
	}

	/**
	 * @return the client's address and port: the socket's peer, or on a PROXY protocol listener
	 * the client its balancer named; {@code null} for a request built with {@link #of}
	 */
	public InetSocketAddress remoteAddress() {
		return this.remoteAddress;
	}

	/** @return the balancer's address on a PROXY protocol listener, else {@code null} */
	public InetSocketAddress proxyAddress() {
		return this.proxyAddress;
	}

	void trailers(HttpHeaders trailers) {
		this.trailers = trailers;
	}

	/** @return the method, case-sensitive as RFC 9110 §9.1 says: {@code GET}, {@code POST}, ... */
	public String method() {
		return this.method;
	}

	/** @return the request target as received: {@code /search?q=x}, or {@code *} */
	public String target() {
		return this.target;
	}

	/** @return the path of the target, not percent-decoded: {@code /search} */
	public String path() {
		return this.path;
	}

	/**
	 * @return the pattern of the {@link HttpRouter} route that took this request (with exact-path
	 * routes, its path), or {@code null} when no route did: what metrics tag a request with,
	 * since the raw path would give them one series per distinct path a client sends
	 */
	public String route() {
		return this.route;
	}

	/** @return the query of the target without {@code ?}, not decoded, or {@code null} */
	public String query() {
		return this.query;
	}

	/**
	 * @param name a query parameter name (compared after decoding)
	 * @return the decoded value of the first parameter so named ({@code ""} when it has none), or
	 * {@code null}
	 */
	public String queryParameter(String name) {
		if (this.query == null) {
			return null;
		}
		for (String pair : this.query.split("&")) {
			int equals = pair.indexOf('=');
			String key = decode((equals < 0) ? pair : pair.substring(0, equals));
			if (key.equals(name)) {
				return (equals < 0) ? "" : decode(pair.substring(equals + 1));
			}
		}
		return null;
	}

	private static String decode(String text) {
		try {
			return URLDecoder.decode(text, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return text; // a malformed escape: the raw text is the most useful answer
		}
	}

	/** @return the protocol version of the request line */
	public HttpVersion version() {
		return this.version;
	}

	/** @return the header fields */
	public HttpHeaders headers() {
		return this.headers;
	}

	/**
	 * @param name a field name, in any case
	 * @return the first value of that field, or {@code null}
	 */
	public String header(String name) {
		return this.headers.get(name);
	}

	/** @return the body (de-chunked), empty when there is none; not a copy */
	public byte[] body() {
		return this.body;
	}

	/** @return the body decoded as UTF-8 */
	public String bodyAsString() {
		return new String(this.body, StandardCharsets.UTF_8);
	}

	/** @return the trailer fields of a chunked body (RFC 9112 §7.1.2), empty when there are none */
	public HttpHeaders trailers() {
		return (this.trailers != null) ? this.trailers : new HttpHeaders(0);
	}

	/**
	 * @return whether the client wants the connection kept open after the response (RFC 9112
	 * §9.3): by default on HTTP/1.1 unless it sent {@code Connection: close}; on HTTP/1.0 only
	 * with {@code Connection: keep-alive}
	 */
	public boolean isKeepAlive() {
		return this.keepAlive;
	}

	@Override
	public String toString() {
		return this.method + " " + this.target + " " + this.version;
	}

}
