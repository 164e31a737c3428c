package io.github.tcpserver.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.observation.MeterHttpExchangeObserver;
import io.github.tcpserver.observation.ObservationHttpExchangeObserver;
import io.github.tcpserver.protocol.http.HttpExchangeObserver;
import io.github.tcpserver.protocol.http.HttpResponse;
import io.github.tcpserver.protocol.http.HttpRouter;
import io.github.tcpserver.protocol.http.HttpServerHandler;

/**
 * {@link HttpServerHandler} answering wrk's keep-alive {@code GET /} through a connection that only
 * counts what is written: what a request costs the I/O thread without sockets, with the request
 * metrics off, as a directly recorded timer, and as an observation under Micrometer's meter handler
 * (what Boot registers without tracing). Each iteration also prints the benchmark thread's CPU time
 * per request; run with {@code -prof gc} for the allocation per request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class HttpServerHandlerBenchmark {

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	private static final byte[] WRK_GET = "GET / HTTP/1.1\r\nHost: 127.0.0.1:9080\r\n\r\n"
		.getBytes(StandardCharsets.US_ASCII);

	/** {@code off}: no observer; {@code timer}: the direct timer; {@code observation}: an observation. */
	@Param({ "off", "timer", "observation" })
	public String metrics;

	private HttpServerHandler handler;

	private FakeConnection connection;

	private ByteBuffer one;

	private ByteBuffer pipelined;

	/** Requests answered in this iteration, and the thread's CPU time when it began. */
	private long requests;

	private long cpuAtStart;

	@Setup
	public void setUp() {
		this.handler = new HttpServerHandler(new HttpRouter().get("/", (request) -> HttpResponse.text("Hello, world!")));
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		this.handler.setExchangeObserver(switch (this.metrics) {
			case "off" -> HttpExchangeObserver.NONE;
			case "timer" -> new MeterHttpExchangeObserver(meters);
			case "observation" -> {
				ObservationRegistry observations = ObservationRegistry.create();
				observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
				yield new ObservationHttpExchangeObserver(observations, null);
			}
			default -> throw new IllegalArgumentException(this.metrics);
		});
		this.connection = new FakeConnection();
		this.handler.onOpen(this.connection);
		this.one = ByteBuffer.allocateDirect(WRK_GET.length).put(WRK_GET).flip();
		this.pipelined = ByteBuffer.allocateDirect(WRK_GET.length * 16);
		for (int i = 0; i < 16; i++) {
			this.pipelined.put(WRK_GET);
		}
		this.pipelined.flip();
	}

	/**
	 * The machine this runs on is shared, so wall time per operation includes other processes'
	 * turns; the thread's own CPU time per request is what the budget is about.
	 */
	@Setup(Level.Iteration)
	public void startCpuClock() {
		this.requests = 0;
		this.cpuAtStart = THREADS.getCurrentThreadCpuTime();
	}

	@TearDown(Level.Iteration)
	public void printCpuPerRequest() {
		long cpu = THREADS.getCurrentThreadCpuTime() - this.cpuAtStart;
		System.out.printf("  [cpu] %s: %.0f ns of thread CPU per request%n", this.metrics,
				(double) cpu / Math.max(1, this.requests));
	}

	/** One request per read, as wrk's {@code http100} scenario sends them. */
	@Benchmark
	public long keepAliveGet() {
		this.one.rewind();
		this.handler.onRead(this.connection, this.one);
		this.requests++;
		return this.connection.written;
	}

	/** Sixteen requests in one read; the score is per request. */
	@Benchmark
	@OperationsPerInvocation(16)
	public long pipelinedGets() {
		this.pipelined.rewind();
		this.handler.onRead(this.connection, this.pipelined);
		this.requests += 16;
		return this.connection.written;
	}

	/** A connection whose writes are consumed at once; every other call is a no-op. */
	static final class FakeConnection implements Connection {

		long written;

		private Object attachment;

		@Override
		public long id() {
			return 1;
		}

		@Override
		public String listenerName() {
			return "web";
		}

		@Override
		public InetSocketAddress remoteAddress() {
			return null;
		}

		@Override
		public InetSocketAddress localAddress() {
			return null;
		}

		@Override
		public void write(ByteBuffer data) {
			this.written += data.remaining();
			data.position(data.limit());
		}

		@Override
		public void close() {
			throw new IllegalStateException("closed");
		}

		@Override
		public void closeAfterFlush() {
			throw new IllegalStateException("closed");
		}

		@Override
		public void pauseReading() {
		}

		@Override
		public void resumeReading() {
		}

		@Override
		public boolean isOpen() {
			return true;
		}

		@Override
		public boolean isWritable() {
			return true;
		}

		@Override
		public long pendingOutboundBytes() {
			return 0;
		}

		@Override
		public int pendingOutboundMessages() {
			return 0;
		}

		@Override
		public long bytesReceived() {
			return 0;
		}

		@Override
		public long bytesSent() {
			return this.written;
		}

		@Override
		public Instant openedAt() {
			return Instant.EPOCH;
		}

		@Override
		public Instant lastActivity() {
			return Instant.EPOCH;
		}

		@Override
		public void setReadIdleTimeout(Duration timeout) {
		}

		@Override
		public void setWriteIdleTimeout(Duration timeout) {
		}

		@Override
		public void setMinWriteRate(long bytesPerSecond, Duration window) {
		}

		@Override
		public Object attachment() {
			return this.attachment;
		}

		@Override
		public void attach(Object attachment) {
			this.attachment = attachment;
		}

		@Override
		public void reportProtocolError() {
			throw new IllegalStateException("protocol error");
		}

		@Override
		public void execute(Runnable task) {
			task.run();
		}

	}

}
