package io.github.tcpserver.protocol.http;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <li><b>BUSY</b>: a response is in flight: its body is being sent by an {@link HttpBodyWriter}
 * while the connection is writable, or its handler answers later ({@link HttpResponse#async},
 * or a handler run on the {@link #setHandlerExecutor handler executor}). The next request waits,
 * parked with reading paused, until the response is complete and the connection writable, so
 * responses leave in request order and a pipelining client cannot make the server queue more
 * than about one response slice beyond the high-water mark. An answer that does not come within
 * {@link HttpLimits#asyncTimeout()} is a 503; one that comes after the connection closed is
 * dropped, and no further application code runs for that connection.</li>
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

	private final LongAdder asyncTimedOut = new LongAdder();

	/** Where the application's handler runs when it may block; {@code null}: on the I/O thread. Set before start. */
	private Executor handlerExecutor;

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

	/** @return requests answered 503 because their asynchronous or offloaded handler did not answer in time */
	public long asyncTimeouts() {
		return this.asyncTimedOut.sum();
	}

	/**
	 * Runs the application's {@link HttpHandler} on {@code executor} instead of the I/O thread, for
	 * handlers that block (a JDBC call); parsing, framing and the connection's state stay on its
	 * I/O thread, and the answer is handed back to it. Stream and file bodies are read there
	 * too. Set it before the server starts.
	 * @param executor where handlers run, or {@code null} for the I/O thread
	 */
	public void setHandlerExecutor(Executor executor) {
		this.handlerExecutor = executor;
	}

	/** @return where the application's handler runs, {@code null} for the I/O thread */
	public Executor getHandlerExecutor() {
		return this.handlerExecutor;
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
		if (exchange == null) {
			return;
		}
		if (exchange.upgraded != null) {
			exchange.upgraded.onWritabilityChanged(exchange.upgradedConnection);
			return;
		}
		if (!connection.isWritable() || exchange.closing) {
			return;
		}
		if (exchange.body != null) {
			continueBody(connection, exchange);
		}
		else if (exchange.parked != null && exchange.awaited == null) {
			// Parked because the client was behind: the next request may go now. A task, as this
			// may be called from within a write of process().
			connection.execute(() -> resume(connection, exchange));
		}
	}

	@Override
	public void onShutdown(Connection connection) {
		Exchange exchange = (Exchange) connection.attachment();
		if (exchange == null) {
			connection.closeAfterFlush();
			return;
		}
		if (exchange.upgraded != null) {
			exchange.upgraded.onShutdown(exchange.upgradedConnection); // a farewell such as WebSocket's close 1001
			if (exchange.upgraded.closeAfterShutdown()) {
				connection.closeAfterFlush();
			}
			return;
		}
		if (exchange.busy() && !exchange.closing) {
			// A body still being sent or an answer still to come is finished first (the stop's
			// deadline bounds it); requests pipelined behind it are not answered.
			exchange.shuttingDown = true;
			exchange.parked = null;
			return;
		}
		closeAfterResponses(connection, exchange);
	}

	/**
	 * {@code false}: {@link #onShutdown} closes each connection itself, at once or when the
	 * response in flight is complete; the server closing it after the queued output would cut a
	 * body that is sent as the client reads it.
	 */
	@Override
	public boolean closeAfterShutdown() {
		return false;
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
		if ((exchange.parked != null || exchange.busy()) && !exchange.closing) {
			exchange.inputClosed = true; // answer what was parked or is in flight first, then close
			return;
		}
		connection.closeAfterFlush();
	}

	@Override
	public void onClose(Connection connection) {
		Exchange exchange = (Exchange) connection.attachment();
		if (exchange != null) {
			exchange.closed = true; // an answer still to come is dropped, no more reads are started
			if (exchange.body != null) {
				exchange.body.release();
				exchange.body = null;
			}
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
			if (exchange.busy() || !connection.isWritable()) {
				// The previous response is still on its way (a body being sent, an answer to come) or
				// the client is behind: the next request waits, in order, with reading paused, and
				// goes on when the response is complete (afterResponse) or the connection writable.
				if (in != exchange.parked) {
					park(connection, exchange, in);
					connection.pauseReading();
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
			boolean keepAlive = respond(connection, exchange, request, (upgrade != null) ? upgrade.response() : null);
			if (exchange.closing) {
				return; // a body failed half-way: the connection is closed
			}
			if (!keepAlive) {
				if (!exchange.busy()) {
					closeAfterResponses(connection, exchange);
				}
				return; // else closed when the body is sent
			}
			if (encoder.length() >= HttpResponseEncoder.FLUSH_THRESHOLD) {
				flush(connection, encoder);
			}
		}
		if (in == exchange.parked && !in.hasRemaining()) {
			exchange.parked = null;
			if (exchange.inputClosed) {
				if (!exchange.busy()) {
					closeAfterResponses(connection, exchange);
				}
				return; // else closed when the response in flight is complete (afterResponse)
			}
			connection.resumeReading();
		}
		flush(connection, encoder);
	}

	private void resume(Connection connection, Exchange exchange) {
		if (!exchange.closing && connection.isOpen() && exchange.parked != null) {
			if (exchange.parser.isIdle()) {
				// The next request's header clock starts now, not when it was parked behind a slow response.
				exchange.headStartedNanos = System.nanoTime();
			}
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
	 * Calls the application (unless the upgrade handler already answered), on this thread or on
	 * the handler executor, and encodes its response, or waits for it.
	 * @return whether the connection stays open after it (decided later for an answer to come)
	 */
	private boolean respond(Connection connection, Exchange exchange, HttpRequest request, HttpResponse refusal) {
		HttpExchangeObserver.Completion observed = this.exchangeObserver.requestStarted(connection, request);
		if (refusal == null && this.handlerExecutor != null) {
			offload(connection, exchange, new Awaited(request, observed));
			return true;
		}
		HttpResponse response;
		Exception error = null;
		try (HttpExchangeObserver.Scope scope = observed.openScope()) {
			response = (refusal != null) ? refusal : this.handler.handle(request);
			if (response == null) {
				throw new IllegalStateException("The handler returned no response");
			}
		}
		catch (Exception ex) {
			error = ex;
			response = failed(request, ex);
		}
		if (response.later() != null) {
			await(connection, exchange, new Awaited(request, observed), response.later());
			return true;
		}
		return send(connection, exchange, request, response, error, observed);
	}

	/**
	 * Encodes {@code response} into the batch and, when its body does not go with it, starts
	 * sending that body. Loop thread.
	 * @return whether the connection stays open after it
	 */
	private boolean send(Connection connection, Exchange exchange, HttpRequest request, HttpResponse response,
			Throwable error, HttpExchangeObserver.Completion observed) {
		HttpResponseEncoder encoder = exchange.encoder;
		boolean head = request.method().equals("HEAD");
		int mark = encoder.length();
		boolean keepAlive;
		try {
			keepAlive = encoder.encode(response, head, request.version(), request.isKeepAlive());
		}
		catch (RuntimeException ex) {
			// A header made invalid after header(...): replace the partial response.
			encoder.truncate(mark);
			if (response.hasSource()) {
				response.releaseBody();
			}
			error = ex;
			response = failed(request, ex);
			keepAlive = encoder.encode(response, head, request.version(), request.isKeepAlive());
		}
		observed.requestCompleted(response, error);
		if (encoder.bodyFollows()) {
			startBody(connection, exchange, response, keepAlive);
		}
		else if (response.hasSource()) {
			response.releaseBody(); // HEAD, 204, 304: the source is never read
		}
		return keepAlive;
	}

	/** Sends the batch, then as much of the body as the connection takes now; the rest follows on writability. */
	private void startBody(Connection connection, Exchange exchange, HttpResponse response, boolean keepAlive) {
		flush(connection, exchange.encoder);
		HttpBodyWriter body = HttpBodyWriter.of(response, exchange.encoder.chunkedBody(), bodyReaders(),
				this.handlerExecutor, connection, () -> continueBody(connection, exchange));
		exchange.body = body;
		exchange.keepAliveAfterBody = keepAlive;
		if (!sendBody(connection, exchange, body) && exchange.body != null) {
			liftReadIdle(connection, exchange);
		}
	}

	/**
	 * While a response is in flight (a body being sent, an answer to come) the client rightly
	 * sends nothing: read-idle would cut a download or a slow answer after the idle timeout.
	 * Write-idle, the minimum response rate and the asynchronous timeout still bound it.
	 */
	private void liftReadIdle(Connection connection, Exchange exchange) {
		if (!exchange.readIdleLifted && !this.limits.idleTimeout().isZero()) {
			exchange.readIdleLifted = true;
			connection.setReadIdleTimeout(Duration.ZERO);
		}
	}

	private void restoreReadIdle(Connection connection, Exchange exchange) {
		if (exchange.readIdleLifted) {
			exchange.readIdleLifted = false;
			// Set on the I/O thread, the idle period counts from now: the client has the whole of it
			// for its next request after a long response.
			connection.setReadIdleTimeout(this.limits.idleTimeout());
		}
	}

	/** Goes on with the body in flight (writable again, or a slice read); closes or resumes once it is sent. */
	private void continueBody(Connection connection, Exchange exchange) {
		HttpBodyWriter body = exchange.body;
		if (body == null || exchange.sending || exchange.closed || !connection.isOpen()) {
			return;
		}
		if (sendBody(connection, exchange, body)) {
			afterResponse(connection, exchange, exchange.keepAliveAfterBody);
		}
	}

	/** @return whether the body is sent whole */
	private boolean sendBody(Connection connection, Exchange exchange, HttpBodyWriter body) {
		exchange.sending = true;
		try {
			if (!body.send(connection)) {
				return false;
			}
		}
		catch (RuntimeException ex) {
			// The header section is gone: the status cannot change, and only a close tells the
			// client the body is incomplete (RFC 9112 §6.3, §8).
			this.handlerFailures.increment();
			log.log(Level.WARNING, "Response body failed after its header section was sent on " + connection
					+ "; closing", ex);
			exchange.body = null;
			body.release();
			exchange.closing = true;
			exchange.parked = null;
			connection.close();
			return false;
		}
		finally {
			exchange.sending = false;
		}
		exchange.body = null;
		body.release();
		return true;
	}

	/**
	 * The response in flight is complete: close if it said so, else go on with the requests
	 * parked behind it (in a task: this may run within a callback of process()). Loop thread.
	 */
	private void afterResponse(Connection connection, Exchange exchange, boolean keepAlive) {
		restoreReadIdle(connection, exchange);
		flush(connection, exchange.encoder);
		if (!keepAlive || exchange.shuttingDown) {
			closeAfterResponses(connection, exchange);
		}
		else if (exchange.parked != null) {
			connection.execute(() -> resume(connection, exchange));
		}
		else if (exchange.inputClosed) {
			closeAfterResponses(connection, exchange);
		}
	}

	/** Runs the application's handler on the handler executor; its answer comes back as an asynchronous one. */
	private void offload(Connection connection, Exchange exchange, Awaited awaited) {
		CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
		try {
			this.handlerExecutor.execute(() -> {
				if (exchange.closed) {
					answer.cancel(false); // the client is gone: no application code runs for it
					return;
				}
				try (HttpExchangeObserver.Scope scope = awaited.observed().openScope()) {
					answer.complete(this.handler.handle(awaited.request()));
				}
				catch (Throwable ex) {
					answer.completeExceptionally(ex);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			answer.completeExceptionally(ex); // answered 503: the executor is saturated or stopping
		}
		await(connection, exchange, awaited, answer);
	}

	/**
	 * Waits for {@code stage} without holding a thread: its completion, on whatever thread, is
	 * handed to the connection's I/O thread; a timeout completes it first.
	 */
	private void await(Connection connection, Exchange exchange, Awaited awaited, CompletionStage<HttpResponse> stage) {
		exchange.awaited = awaited;
		liftReadIdle(connection, exchange);
		CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
		long timeout = this.limits.asyncTimeout().toNanos();
		if (timeout > 0) {
			// The JDK's shared delay scheduler; the timer is cancelled when the answer comes.
			answer.orTimeout(timeout, TimeUnit.NANOSECONDS);
		}
		answer.whenComplete((response, error) -> connection.execute(() -> answered(connection, exchange, awaited,
				response, error)));
		stage.whenComplete((response, error) -> {
			boolean taken = (error != null) ? answer.completeExceptionally(error) : answer.complete(response);
			if (!taken && response != null && response.hasSource()) {
				response.releaseBody(); // came after the timeout's 503
			}
		});
	}

	/** The answer of an asynchronous or offloaded handler, on the I/O thread. */
	private void answered(Connection connection, Exchange exchange, Awaited awaited, HttpResponse response,
			Throwable error) {
		if (exchange.awaited != awaited || exchange.closed || exchange.closing || !connection.isOpen()) {
			if (response != null && response.hasSource()) {
				response.releaseBody();
			}
			// Ends the observation (its span, its long-task sample) of an answer nobody gets.
			awaited.observed().requestCompleted(null,
					new java.util.concurrent.CancellationException("the connection closed before the answer"));
			return;
		}
		exchange.awaited = null;
		HttpRequest request = awaited.request();
		Throwable cause = (error instanceof CompletionException && error.getCause() != null) ? error.getCause() : error;
		if (cause instanceof TimeoutException) {
			this.asyncTimedOut.increment();
			log.log(Level.WARNING, "No answer to " + request + " within " + this.limits.asyncTimeout().toMillis()
					+ " ms; answering 503");
			response = HttpResponse.text(503, "Service Unavailable");
		}
		else if (cause instanceof RejectedExecutionException) {
			log.log(Level.WARNING, "No thread to run the handler of " + request + "; answering 503", cause);
			response = HttpResponse.text(503, "Service Unavailable");
		}
		else if (cause != null) {
			response = failed(request, cause);
		}
		else if (response == null) {
			cause = new IllegalStateException("The handler answered no response");
			response = failed(request, cause);
		}
		else if (response.later() != null) {
			await(connection, exchange, awaited, response.later()); // an answer that is itself to come
			return;
		}
		boolean keepAlive = send(connection, exchange, request, response, cause, awaited.observed());
		if (exchange.closing) {
			return;
		}
		if (exchange.body == null) {
			afterResponse(connection, exchange, keepAlive);
		}
	}

	private Executor bodyReaders() {
		return (this.handlerExecutor != null) ? this.handlerExecutor : DefaultBodyReaders.INSTANCE;
	}

	private HttpResponse failed(HttpRequest request, Throwable ex) {
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

		/** The body being sent, the connection's response in flight; {@code null} when none. */
		HttpBodyWriter body;

		/** Whether the connection stays open once {@link #body} is sent. */
		boolean keepAliveAfterBody;

		/** Set while {@link #body} writes: a writability call from within a write does not re-enter it. */
		boolean sending;

		/** Whether read-idle is off for the response in flight (restored once it is complete). */
		boolean readIdleLifted;

		/** The request whose handler answers later; {@code null} when none. */
		Awaited awaited;

		/** Set by a graceful stop while a response is in flight: the connection closes once it is complete. */
		boolean shuttingDown;

		/** Set when the connection closed: answers and reads that come later are dropped. */
		volatile boolean closed;

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

		/** @return whether a response is in flight: the next request waits */
		boolean busy() {
			return this.body != null || this.awaited != null;
		}

	}

	/** A request whose answer comes later, and who watches it. */
	private record Awaited(HttpRequest request, HttpExchangeObserver.Completion observed) {
	}

	/**
	 * Reads stream and file bodies when no handler executor is set: a few daemon threads, each
	 * task one slice, so many slow streams share them fairly. The queue holds at most one read per
	 * connection sending such a body, so it is bounded by the connection limit.
	 */
	private static final class DefaultBodyReaders {

		static final Executor INSTANCE = create();

		private static Executor create() {
			AtomicInteger count = new AtomicInteger();
			int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
			ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
					new LinkedBlockingQueue<>(), (task) -> {
						Thread thread = new Thread(task, "tcp-server-http-body-" + count.incrementAndGet());
						thread.setDaemon(true);
						return thread;
					});
			pool.allowCoreThreadTimeOut(true);
			return pool;
		}

	}

}
