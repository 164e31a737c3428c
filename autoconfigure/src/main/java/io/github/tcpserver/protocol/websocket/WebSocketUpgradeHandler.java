package io.github.tcpserver.protocol.websocket;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.github.tcpserver.protocol.http.HttpRequest;
import io.github.tcpserver.protocol.http.HttpResponse;
import io.github.tcpserver.protocol.http.HttpUpgrade;
import io.github.tcpserver.protocol.http.HttpUpgradeHandler;
import io.github.tcpserver.protocol.http.HttpVersion;

/**
 * The WebSocket opening handshake (RFC 6455 §4.2) on the routes of an HTTP listener: pass it to
 * an {@code HttpServerHandler}. A request to a WebSocket path that is a valid handshake from an
 * allowed origin is answered 101 and the connection becomes a {@link WebSocketSession} of the
 * route's {@link WebSocketHandler}; a wrong method is answered 405, a missing {@code Upgrade}
 * 426, a wrong version 426 with {@code Sec-WebSocket-Version: 13}, other bad or missing fields
 * 400, a refused origin 403. Requests to other paths go to the HTTP handler.
 *
 * <pre class="code">
 * WebSocketUpgradeHandler webSockets = new WebSocketUpgradeHandler(WebSocketLimits.defaults())
 *     .route("/echo", new WebSocketHandler() {
 *         public void onText(WebSocketSession session, String text) { session.sendText(text); }
 *     });
 * new HttpServerHandler(router, httpLimits, "tcp-server", webSockets);
 * </pre>
 */
public final class WebSocketUpgradeHandler implements HttpUpgradeHandler {

	/** RFC 6455 §1.3: appended to the client's key before hashing. */
	private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

	private static final String VERSION = "13";

	private final WebSocketLimits limits;

	private final Map<String, Route> routes = new HashMap<>();

	private final Set<WebSocketSession> sessions = ConcurrentHashMap.newKeySet();

	final LongAdder messagesIn = new LongAdder();

	final LongAdder messagesOut = new LongAdder();

	final LongAdder protocolErrors = new LongAdder();

	private final LongAdder handshakesRefused = new LongAdder();

	/** Created with the first session when pings are on; its thread ends when no session is left. */
	private volatile ScheduledThreadPoolExecutor pingTimer;

	private record Route(WebSocketHandler handler, List<String> subprotocols) {
	}

	/**
	 * @param limits the bounds of every session
	 */
	public WebSocketUpgradeHandler(WebSocketLimits limits) {
		this.limits = limits;
	}

	/**
	 * Serves WebSocket on {@code path}. Configure routes before the server starts.
	 * @param path the exact path, such as {@code /chat}
	 * @param handler the application
	 * @param subprotocols the subprotocols it speaks, by preference; the first the client also
	 * offers is chosen (RFC 6455 §4.2.2), none if the client offers none of them
	 * @return this
	 */
	public WebSocketUpgradeHandler route(String path, WebSocketHandler handler, String... subprotocols) {
		if (!path.startsWith("/")) {
			throw new IllegalArgumentException("A route path starts with '/' but was '" + path + "'");
		}
		if (this.routes.putIfAbsent(path, new Route(handler, List.of(subprotocols))) != null) {
			throw new IllegalArgumentException("A WebSocket handler for " + path + " is already registered");
		}
		return this;
	}

	/** @return the limits of the sessions */
	public WebSocketLimits limits() {
		return this.limits;
	}

	/** @return the open sessions, a snapshot */
	public List<WebSocketSession> sessions() {
		return new ArrayList<>(this.sessions);
	}

	/** @return how many sessions are open */
	public int sessionCount() {
		return this.sessions.size();
	}

	/** @return messages received (whole, after reassembly) */
	public long messagesIn() {
		return this.messagesIn.sum();
	}

	/** @return messages sent */
	public long messagesOut() {
		return this.messagesOut.sum();
	}

	/** @return connections failed for breaking RFC 6455 or a size limit (1002, 1007, 1009) */
	public long protocolErrors() {
		return this.protocolErrors.sum();
	}

	/** @return handshakes answered 400, 403, 405 or 426 */
	public long handshakesRefused() {
		return this.handshakesRefused.sum();
	}

	@Override
	public HttpUpgrade upgrade(HttpRequest request) {
		Route route = this.routes.get(request.path());
		if (route == null) {
			return null;
		}
		if (!request.method().equals("GET")) {
			return refuse(HttpResponse.text(405, "Method Not Allowed").header("Allow", "GET"));
		}
		if (!request.headers().containsToken("Upgrade", "websocket")) {
			// RFC 9110 §15.5.22: 426 names the protocol to upgrade to.
			return refuse(HttpResponse.text(426, "This is a WebSocket endpoint").header("Upgrade", "websocket"));
		}
		if (request.version() != HttpVersion.HTTP_1_1) {
			return refuse(HttpResponse.text(400, "WebSocket needs HTTP/1.1 (RFC 6455 §4.1)"));
		}
		if (!request.headers().containsToken("Connection", "upgrade")) {
			return refuse(HttpResponse.text(400, "Connection: Upgrade missing (RFC 6455 §4.2.1)"));
		}
		List<String> versions = request.headers().getAll("Sec-WebSocket-Version");
		if (versions.isEmpty()) {
			return refuse(HttpResponse.text(400, "Sec-WebSocket-Version missing (RFC 6455 §4.2.1)"));
		}
		if (versions.size() != 1 || !versions.get(0).strip().equals(VERSION)) {
			// §4.2.2: the versions this server speaks, so that the client can retry with one of them.
			return refuse(HttpResponse.text(426, "Unsupported WebSocket version")
				.header("Sec-WebSocket-Version", VERSION));
		}
		List<String> keys = request.headers().getAll("Sec-WebSocket-Key");
		if (keys.size() != 1 || !isValidKey(keys.get(0).strip())) {
			return refuse(HttpResponse.text(400, "Sec-WebSocket-Key must be 16 bytes in base64 (RFC 6455 §4.2.1)"));
		}
		String origin = request.header("Origin");
		if (origin != null && !isAllowedOrigin(origin, request.header("Host"))) {
			return refuse(HttpResponse.text(403, "Origin not allowed"));
		}
		String subprotocol = chooseSubprotocol(request, route.subprotocols());
		HttpResponse switching = HttpResponse.status(101)
			.header("Upgrade", "websocket")
			.header("Sec-WebSocket-Accept", acceptKey(keys.get(0).strip()));
		if (subprotocol != null) {
			switching.header("Sec-WebSocket-Protocol", subprotocol);
		}
		PerMessageDeflate.Agreement deflate = this.limits.perMessageDeflate()
				? PerMessageDeflate.negotiate(request.headers().getAll("Sec-WebSocket-Extensions")) : null;
		if (deflate != null) {
			switching.header("Sec-WebSocket-Extensions", deflate.response());
		}
		return HttpUpgrade.switchTo(switching,
				new WebSocketConnectionHandler(this, route.handler(), request, subprotocol, deflate));
	}

	private HttpUpgrade refuse(HttpResponse response) {
		this.handshakesRefused.increment();
		return HttpUpgrade.refuse(response);
	}

	/**
	 * @param key the client's {@code Sec-WebSocket-Key}
	 * @return the {@code Sec-WebSocket-Accept} that proves the server read it (RFC 6455 §4.2.2 item 5.4)
	 */
	public static String acceptKey(String key) {
		try {
			MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
			byte[] digest = sha1.digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
			return Base64.getEncoder().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is required of every Java platform", ex);
		}
	}

	private static boolean isValidKey(String key) {
		if (key.length() != 24) {
			return false; // 16 bytes are 24 base64 characters, the last two '='
		}
		try {
			return Base64.getDecoder().decode(key).length == 16;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	/**
	 * Cross-site WebSocket hijacking defence: a page of another site may open a WebSocket with the
	 * user's cookies; the browser's {@code Origin} is the only thing telling (RFC 6455 §10.2).
	 */
	private boolean isAllowedOrigin(String origin, String host) {
		List<String> allowed = this.limits.allowedOrigins();
		if (allowed.contains("*")) {
			return true;
		}
		for (String candidate : allowed) {
			if (candidate.equalsIgnoreCase(origin)) {
				return true;
			}
		}
		try {
			URI uri = URI.create(origin);
			if (uri.getHost() == null || host == null) {
				return false;
			}
			String authority = uri.getHost().toLowerCase(Locale.ROOT) + ((uri.getPort() >= 0) ? ":" + uri.getPort() : "");
			return authority.equals(host.toLowerCase(Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	private static String chooseSubprotocol(HttpRequest request, List<String> supported) {
		if (supported.isEmpty()) {
			return null;
		}
		List<String> offered = new ArrayList<>();
		for (String field : request.headers().getAll("Sec-WebSocket-Protocol")) {
			for (String token : field.split(",")) {
				offered.add(token.strip());
			}
		}
		for (String candidate : supported) {
			if (offered.contains(candidate)) {
				return candidate;
			}
		}
		return null;
	}

	void opened(WebSocketSession session) {
		this.sessions.add(session);
	}

	void closed(WebSocketSession session) {
		this.sessions.remove(session);
	}

	/**
	 * Every ping interval, {@code ping} runs on the session's loop. One timer thread for all
	 * sessions of this handler; it only hands the work to the loops.
	 */
	ScheduledFuture<?> schedulePing(WebSocketSession session, Runnable ping) {
		long interval = this.limits.pingInterval().toNanos();
		if (interval == 0) {
			return null;
		}
		return timer().scheduleWithFixedDelay(() -> session.execute(ping), interval, interval, TimeUnit.NANOSECONDS);
	}

	private ScheduledThreadPoolExecutor timer() {
		ScheduledThreadPoolExecutor timer = this.pingTimer;
		if (timer == null) {
			synchronized (this) {
				timer = this.pingTimer;
				if (timer == null) {
					timer = new ScheduledThreadPoolExecutor(1, (task) -> {
						Thread thread = new Thread(task, "websocket-ping");
						thread.setDaemon(true);
						return thread;
					});
					// Cancelled pings leave the queue at once, and the thread ends when nothing is scheduled.
					timer.setRemoveOnCancelPolicy(true);
					timer.setKeepAliveTime(10, TimeUnit.SECONDS);
					timer.allowCoreThreadTimeOut(true);
					this.pingTimer = timer;
				}
			}
		}
		return timer;
	}

}
