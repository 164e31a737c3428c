package io.github.tcpserver.protocol.http;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionHandler;

/**
 * HTTP/1.1 over the reactor: feeds each connection's bytes to its {@link HttpRequestParser},
 * passes every complete request to the application's {@link HttpHandler} and sends the responses
 * in request order, those of one read in a single write.
 *
 * <h2>Connection lifecycle</h2>
 * <ul>
 * <li><b>OPEN</b>: requests are parsed and answered as they arrive; persistent by default (RFC 9112
 * §9.3). At most {@code maxPipelinedRequests} buffered requests are answered in a row; the rest
 * of the input is parked, reading is paused and the rest is answered in a loop task, so one
 * pipelining client can neither hold the I/O thread nor make the server buffer its input.</li>
 * <li><b>CLOSING</b>: after a response with {@code Connection: close} (the client's wish, HTTP/1.0
 * without keep-alive, a close-delimited body) or an error response to a request the parser
 * rejected, whose framing can no longer be trusted (RFC 9112 §9.6, §11.2): queued responses are
 * flushed, then the connection closes; later input is ignored.</li>
 * <li><b>UPGRADED</b>: after a {@code 101 Switching Protocols} decided by the
 * {@link HttpUpgradeHandler} (a WebSocket handshake), for good: no more HTTP parsing; the bytes
 * after the request and every later event go to the protocol switched to.</li>
 * </ul>
 * A handler that throws gets its client a 500; the connection stays in sync and open.
 *
 * <h2>Deadlines</h2>
 * No connection lives without progress past {@link HttpLimits#idleTimeout()}: nothing received
 * while waiting for a request (read-idle), or queued output the peer does not take, also while
 * reading is paused by backpressure or the connection is closing (write-idle, set to the same
 * value), or taken slower than {@link HttpLimits#minResponseRate()} (the connection's minimum
 * write rate). A header section slower than {@link HttpLimits#requestHeaderTimeout()} and a body
 * slower than {@link HttpLimits#minRequestBodyRate()} (after its grace period) are answered 408
 * and closed, so a client trickling bytes cannot hold a connection and its buffers for ever.
 */
public class HttpServerHandler implements ConnectionHandler {

	/** Default value of the {@code Server} header (RFC 9110 §10.2.4). */
	public static final String DEFAULT_SERVER_NAME = "tcp-server";

	private static final System.Logger log = System.getLogger(HttpServerHandler.class.getName());

	private final HttpHandler handler;

	private final HttpUpgradeHandler upgrades;

	private final HttpLimits limits;

	private final byte[] serverLine;

	private final long maxParkedBytes;

	private final LongAdder requests = new LongAdder();

	private final LongAdder rejected = new LongAdder();

	private final LongAdder limitsExceeded = new LongAdder();

	private final LongAdder handlerFailures = new LongAdder();

	private final LongAdder timedOut = new LongAdder();

	private final LongAdder bodyTimedOut = new LongAdder();

	/** Set before the server starts (the loop threads start after it), read per request: plain. */
	private HttpExchangeObserver exchangeObserver = HttpExchangeObserver.NONE;

	/**
	 * @param handler what answers the requests, often an {@link HttpRouter}
	 */
	public HttpServerHandler(HttpHandler handler) {
		this(handler, HttpLimits.defaults(), DEFAULT_SERVER_NAME);
	}

	/**
	 * @param handler what answers the requests
	 * @param limits the bounds of a request
	 */
	public HttpServerHandler(HttpHandler handler, HttpLimits limits) {
		this(handler, limits, DEFAULT_SERVER_NAME);
	}

	/**
	 * @param handler what answers the requests
	 * @param limits the bounds of a request
	 * @param serverName the value of the {@code Server} header
	 */
	public HttpServerHandler(HttpHandler handler, HttpLimits limits, String serverName) {
		this(handler, limits, serverName, null);
	}

	/**
	 * @param handler what answers the requests
	 * @param limits the bounds of a request
	 * @param serverName the value of the {@code Server} header
	 * @param upgrades asked about every request first, to switch protocols (WebSocket), or {@code null}
	 */
	public HttpServerHandler(HttpHandler handler, HttpLimits limits, String serverName, HttpUpgradeHandler upgrades) {
		this.handler = handler;
		this.upgrades = upgrades;
		this.limits = limits;
		this.serverLine = HttpResponseEncoder.serverLine(serverName);
		this.maxParkedBytes = 2L * ((long) limits.maxRequestLine() + limits.maxHeaderSize() + limits.maxBodySize());
	}

	/** @return requests parsed and answered (whatever the status) */
	public long requests() {
		return this.requests.sum();
	}

	/** @return requests rejected by the parser (400, 413, 414, 417, 431, 501, 505, 503 for a flood) */
	public long rejected() {
		return this.rejected.sum();
	}

	/**
	 * @return rejections for exceeding a limit (413, 414, 431, and 503 for pipelined input over the
	 * bound or a body that does not fit in the request memory budget)
	 */
	public long limitsExceeded() {
		return this.limitsExceeded.sum();
	}

	/** @return requests whose handler threw (answered 500) */
	public long handlerFailures() {
		return this.handlerFailures.sum();
	}

	/** @return requests answered 408 because their header section did not arrive in time */
	public long headerTimeouts() {
		return this.timedOut.sum();
	}

	/** @return requests answered 408 because their body arrived slower than the minimum rate */
	public long bodyTimeouts() {
		return this.bodyTimedOut.sum();
	}

	/**
	 * Sets what watches each request (metrics, tracing); set it before the server starts.
	 * @param observer the observer, {@link HttpExchangeObserver#NONE} for none
	 */
	public void setExchangeObserver(HttpExchangeObserver observer) {
		this.exchangeObserver = (observer != null) ? observer : HttpExchangeObserver.NONE;
	}

	/** @return what watches each request, {@link HttpExchangeObserver#NONE} by default */
	public HttpExchangeObserver getExchangeObserver() {
		return this.exchangeObserver;
	}

	/** @return the limits in force */
	public HttpLimits limits() {
		return this.limits;
	}

	/** @return the handler asked about upgrades (WebSocket), or {@code null} */
	public HttpUpgradeHandler upgrades() {
		return this.upgrades;
	}

	@Override
	public String protocolOf(Connection connection) {
		ConnectionHandler upgraded = (connection.attachment() instanceof Exchange exchange) ? exchange.upgraded : null;
		return (upgraded != null) ? upgraded.description() : null;
	}

	@Override
	public void onOpen(Connection connection) {
		connection.setReadIdleTimeout(this.limits.idleTimeout());
		// Read-idle does not run while reading is paused or the connection is closing; a client that
		// asks for a large response and never reads it would otherwise hold the queued output for ever.
		if (!this.limits.idleTimeout().isZero()) {
			// Zero means "never" for reads; the listener's own write-idle deadline then stays.
			connection.setWriteIdleTimeout(this.limits.idleTimeout());
		}
		if (this.limits.minResponseRate() > 0) {
			// A client that reads a large response a few bytes at a time makes progress, so write-idle
			// never fires; without a rate it would hold the queued output for as long as it likes.
			connection.setMinWriteRate(this.limits.minResponseRate(), this.limits.requestBodyGracePeriod());
		}
		connection.attach(new Exchange(new HttpRequestParser(this.limits), new HttpResponseEncoder(this.serverLine)));
	}

	@Override
	public void onRead(Connection connection, ByteBuffer data) {
		Exchange exchange = (Exchange) connection.attachment();
		if (exchange.upgraded != null) {
			exchange.upgraded.onRead(exchange.upgradedConnection, data);
			return;
		}
		if (exchange.closing) {
			return; // RFC 9112 §9.6: nothing after the last response is read
		}
		if (exchange.parked != null) {
			park(connection, exchange, data);
			return;
		}
		long headTimeout = this.limits.requestHeaderTimeout().toNanos();
		boolean bodyRate = this.limits.minRequestBodyRate() > 0;
		long now = (headTimeout > 0) ? System.nanoTime() : 0;
		if (exchange.parser.isIdle()) {
			exchange.headStartedNanos = now; // a new request begins in this read
		}
		process(connection, exchange, data);
		if (bodyRate && !exchange.closing) {
			if (exchange.parser.isReadingBody()) {
				// Read after the handlers of this read ran: their time is not the client's.
				checkBodyRate(connection, exchange, System.nanoTime());
			}
			else {
				exchange.bodyWindowStartNanos = 0; // no body arriving: the clock is not read at all
			}
		}
		// Slowloris defence: a head that trickles in a byte at a time never trips the idle timeout,
		// so the head as a whole has a deadline (checked when bytes arrive; a silent peer is the
		// idle timeout's).
		if (headTimeout > 0 && !exchange.closing && exchange.parser.isReadingHead()
				&& now - exchange.headStartedNanos > headTimeout) {
			this.timedOut.increment();
			reject(connection, exchange, 408, "Request header section not complete within "
					+ this.limits.requestHeaderTimeout().toMillis() + " ms");
		}
	}

	@Override
	public void onWritabilityChanged(Connection connection) {
		Exchange exchange = (Exchange) connection.attachment();
		if (exchange != null && exchange.upgraded != null) {
			exchange.upgraded.onWritabilityChanged(exchange.upgradedConnection);
		}
	}

	@Override
	public void onShutdown(Connection connection) {
		Exchange exchange = (Exchange) connection.attachment();
		if (exchange != null && exchange.upgraded != null) {
			exchange.upgraded.onShutdown(exchange.upgradedConnection); // a farewell such as WebSocket's close 1001
		}
	}

	@Override
	public void onError(Connection connection, Throwable error) {
		Exchange exchange = (Exchange) connection.attachment();
		if (exchange != null && exchange.upgraded != null) {
			exchange.upgraded.onError(exchange.upgradedConnection, error);
		}
	}

	@Override
	public void onInputClosed(Connection connection) {
		Exchange exchange = (Exchange) connection.attachment();
		if (exchange.upgraded != null) {
			exchange.upgraded.onInputClosed(exchange.upgradedConnection);
			return;
		}
		if (exchange.parked != null && !exchange.closing) {
			exchange.inputClosed = true; // answer what was parked first, then close
			return;
		}
		connection.closeAfterFlush();
	}

	@Override
	public void onClose(Connection connection) {
		Exchange exchange = (Exchange) connection.attachment();
		if (exchange != null) {
			exchange.parser.release(); // a body still arriving gives its memory back to the budget
			if (exchange.upgraded != null) {
				exchange.upgraded.onClose(exchange.upgradedConnection);
			}
		}
		connection.attach(null);
	}

	/**
	 * Slow-body defence (Jetty's minimum data rate, measured per window): once the header section
	 * is in, the body may arrive at any rate for the grace period; after that, every window of
	 * the grace period's length (at least a second) must bring {@code minRequestBodyRate} bytes
	 * per second. Per window, not averaged over the body, so a client cannot send most of a body
	 * at once and then hold its buffer (and the shared budget) with a byte a minute. Checked when
	 * bytes arrive; a peer that sends nothing at all meets the idle timeout.
	 */
	private void checkBodyRate(Connection connection, Exchange exchange, long now) {
		HttpRequestParser parser = exchange.parser;
		long received = parser.bodyBytesReceived();
		if (exchange.bodyWindowStartNanos == 0 || exchange.bodyOfRequest != exchange.requestsParsed) {
			// The first read of this request's body (a pipelined one may follow another in one read).
			exchange.bodyWindowStartNanos = now;
			exchange.bodyWindowStartBytes = received;
			exchange.bodyInGrace = true;
			exchange.bodyOfRequest = exchange.requestsParsed;
			return;
		}
		long grace = this.limits.requestBodyGracePeriod().toNanos();
		long window = Math.max(grace, 1_000_000_000L);
		long elapsed = now - exchange.bodyWindowStartNanos;
		if (elapsed < (exchange.bodyInGrace ? grace : window)) {
			return;
		}
		long counted = exchange.bodyInGrace ? elapsed - grace : elapsed;
		long required = (long) (this.limits.minRequestBodyRate() * (counted / 1e9));
		long arrived = received - exchange.bodyWindowStartBytes;
		if (arrived < required) {
			this.bodyTimedOut.increment();
			reject(connection, exchange, 408, "Request body arriving slower than " + this.limits.minRequestBodyRate()
					+ " bytes/s (" + arrived + " bytes in the last " + elapsed / 1_000_000 + " ms)");
			return;
		}
		exchange.bodyWindowStartNanos = now;
		exchange.bodyWindowStartBytes = received;
		exchange.bodyInGrace = false;
	}

	/** Answers the requests in {@code in}, up to the pipelining bound. Loop thread. */
	private void process(Connection connection, Exchange exchange, ByteBuffer in) {
		HttpRequestParser parser = exchange.parser;
		HttpResponseEncoder encoder = exchange.encoder;
		int answered = 0;
		while (true) {
			if (!in.hasRemaining()) {
				if (parser.takeExpectContinue()) {
					encoder.encodeContinue();
				}
				break;
			}
			if (answered == this.limits.maxPipelinedRequests()) {
				if (in != exchange.parked) {
					park(connection, exchange, in);
					connection.pauseReading(); // TCP flow control holds the rest until the parked input is answered
				}
				connection.execute(() -> resume(connection, exchange));
				break;
			}
			HttpRequest request;
			try {
				request = parser.parse(in);
			}
			catch (HttpParseException ex) {
				if (ex.status() == 503) {
					this.limitsExceeded.increment(); // the request memory budget is spent
				}
				reject(connection, exchange, ex.status(), ex.getMessage());
				return;
			}
			if (request == null) {
				continue; // in is used up
			}
			request.connection(connection); // the client's address for handlers (PROXY protocol included)
			answered++;
			exchange.requestsParsed++;
			this.requests.increment();
			HttpUpgrade upgrade = upgrade(request);
			if (upgrade != null && upgrade.protocol() != null) {
				switchProtocol(connection, exchange, request, upgrade, in);
				return;
			}
			if (!respond(connection, request, (upgrade != null) ? upgrade.response() : null, encoder)) {
				closeAfterResponses(connection, exchange);
				return;
			}
			if (encoder.length() >= HttpResponseEncoder.FLUSH_THRESHOLD) {
				flush(connection, encoder);
			}
		}
		if (in == exchange.parked && !in.hasRemaining()) {
			exchange.parked = null;
			if (exchange.inputClosed) {
				closeAfterResponses(connection, exchange);
				return;
			}
			connection.resumeReading();
		}
		flush(connection, encoder);
	}

	private void resume(Connection connection, Exchange exchange) {
		if (!exchange.closing && connection.isOpen() && exchange.parked != null) {
			process(connection, exchange, exchange.parked);
		}
	}

	/**
	 * Keeps input that is not answered yet; the read buffer it came in is the loop's, so it is
	 * copied. Reading is paused while input is parked, so appending happens only if a read was
	 * already under way; the bound is a safety net.
	 */
	private void park(Connection connection, Exchange exchange, ByteBuffer data) {
		ByteBuffer parked = exchange.parked;
		int kept = (parked != null) ? parked.remaining() : 0;
		if (kept + (long) data.remaining() > this.maxParkedBytes) {
			this.limitsExceeded.increment();
			reject(connection, exchange, 503, "Pipelined input over " + this.maxParkedBytes + " bytes not answered yet");
			return;
		}
		if (parked == null || parked.capacity() < kept + data.remaining()) {
			ByteBuffer grown = ByteBuffer.allocate(Math.max(kept + data.remaining(), (parked != null) ? parked.capacity() * 2 : 0));
			if (parked != null) {
				grown.put(parked);
			}
			parked = grown;
		}
		else {
			parked.compact();
		}
		parked.put(data).flip();
		exchange.parked = parked;
	}

	/** @return the upgrade handler's decision, {@code null} when there is none or it failed (logged, then 500) */
	private HttpUpgrade upgrade(HttpRequest request) {
		if (this.upgrades == null) {
			return null;
		}
		try {
			return this.upgrades.upgrade(request);
		}
		catch (RuntimeException ex) {
			return HttpUpgrade.refuse(failed(request, ex));
		}
	}

	/**
	 * Sends the 101 after the responses before it, then hands the connection and the rest of the
	 * input (bytes pipelined after the handshake belong to the new protocol) to the protocol
	 * switched to. Loop thread.
	 */
	private void switchProtocol(Connection connection, Exchange exchange, HttpRequest request, HttpUpgrade upgrade,
			ByteBuffer in) {
		exchange.encoder.encode(upgrade.response(), false, request.version(), true);
		flush(connection, exchange.encoder);
		exchange.parser.release();
		boolean wasParked = in == exchange.parked;
		exchange.parked = null;
		exchange.upgraded = upgrade.protocol();
		exchange.upgradedConnection = new UpgradedConnection(connection);
		exchange.upgraded.onOpen(exchange.upgradedConnection);
		if (in.hasRemaining() && connection.isOpen()) {
			exchange.upgraded.onRead(exchange.upgradedConnection, in);
		}
		if (wasParked) {
			connection.resumeReading();
		}
	}

	/**
	 * Calls the application (unless the upgrade handler already answered) and encodes its response.
	 * @return whether the connection stays open after it
	 */
	private boolean respond(Connection connection, HttpRequest request, HttpResponse refusal,
			HttpResponseEncoder encoder) {
		HttpExchangeObserver.Completion observed = this.exchangeObserver.requestStarted(connection, request);
		HttpResponse response;
		Exception error = null;
		try {
			response = (refusal != null) ? refusal : this.handler.handle(request);
			if (response == null) {
				throw new IllegalStateException("The handler returned no response");
			}
		}
		catch (Exception ex) {
			error = ex;
			response = failed(request, ex);
		}
		boolean head = request.method().equals("HEAD");
		int mark = encoder.length();
		try {
			return encoder.encode(response, head, request.version(), request.isKeepAlive());
		}
		catch (RuntimeException ex) {
			// A streamed body that failed half-way: replace the partial response.
			encoder.truncate(mark);
			error = ex;
			response = failed(request, ex);
			return encoder.encode(response, head, request.version(), request.isKeepAlive());
		}
		finally {
			observed.requestCompleted(response, error);
		}
	}

	private HttpResponse failed(HttpRequest request, Exception ex) {
		this.handlerFailures.increment();
		log.log(Level.WARNING, "HTTP handler failed on " + request + "; answering 500", ex);
		return HttpResponse.text(500, "Internal Server Error");
	}

	/** Answers a request the parser rejected, then closes: its framing is lost. */
	private void reject(Connection connection, Exchange exchange, int status, String reason) {
		this.rejected.increment();
		connection.reportProtocolError();
		if (status == 413 || status == 414 || status == 431) {
			this.limitsExceeded.increment();
		}
		log.log(Level.DEBUG, () -> "Rejecting a request on " + connection + " with " + status + ": " + reason);
		exchange.encoder.encode(HttpResponse.text(status, HttpStatus.reasonPhrase(status)), false,
				HttpVersion.HTTP_1_1, false);
		// The rejected body's memory goes back to the budget now, not when the close completes
		// (which waits for the answer to be read, up to the idle timeout).
		exchange.parser.release();
		closeAfterResponses(connection, exchange);
	}

	private void closeAfterResponses(Connection connection, Exchange exchange) {
		exchange.closing = true;
		exchange.parked = null;
		flush(connection, exchange.encoder);
		connection.closeAfterFlush();
	}

	private static void flush(Connection connection, HttpResponseEncoder encoder) {
		if (encoder.length() > 0) {
			connection.write(encoder.buffer());
			encoder.reset();
		}
	}

	/** Per-connection state, attached to the connection; touched on its loop thread only. */
	private static final class Exchange {

		final HttpRequestParser parser;

		final HttpResponseEncoder encoder;

		/** Input received but not answered yet (pipelining bound reached), in read mode. */
		ByteBuffer parked;

		boolean inputClosed;

		boolean closing;

		/** When the head of the request being received began to arrive (nanoTime). */
		long headStartedNanos;

		/** When the current rate window of the body being received began (nanoTime); 0 when none is. */
		long bodyWindowStartNanos;

		/** Body bytes received when that window began. */
		long bodyWindowStartBytes;

		/** Whether that window is the grace period at the start of the body. */
		boolean bodyInGrace;

		/** Requests parsed on this connection so far. */
		long requestsParsed;

		/** The value of requestsParsed when the body's first window began. */
		long bodyOfRequest;

		/** The protocol the connection switched to after a 101, or {@code null} while it speaks HTTP. */
		volatile ConnectionHandler upgraded; // volatile: the Actuator endpoint reads it (protocolOf)

		/** The connection as {@link #upgraded} sees it. */
		Connection upgradedConnection;

		Exchange(HttpRequestParser parser, HttpResponseEncoder encoder) {
			this.parser = parser;
			this.encoder = encoder;
		}

	}

}
