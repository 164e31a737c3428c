package io.github.tcpserver.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import io.github.tcpserver.protocol.http.HttpLimits;
import io.github.tcpserver.protocol.http.HttpRequest;
import io.github.tcpserver.protocol.http.HttpRequestParser;

/**
 * The HTTP/1.1 request parser on the request wrk sends, alone and 16 pipelined in one buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HttpRequestParserBenchmark {

	private static final byte[] WRK_GET = "GET / HTTP/1.1\r\nHost: 127.0.0.1:9080\r\n\r\n"
		.getBytes(StandardCharsets.US_ASCII);

	private static final byte[] BROWSER_GET = ("GET /json?name=bench HTTP/1.1\r\nHost: localhost:9080\r\n"
			+ "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0\r\n"
			+ "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
			+ "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n"
			+ "Connection: keep-alive\r\nCookie: session=0123456789abcdef\r\n\r\n")
		.getBytes(StandardCharsets.US_ASCII);

	private ByteBuffer wrk;

	private ByteBuffer browser;

	private ByteBuffer pipelined;

	private HttpLimits limits;

	@Setup
	public void setUp() {
		this.limits = HttpLimits.defaults();
		this.wrk = ByteBuffer.allocateDirect(WRK_GET.length).put(WRK_GET).flip();
		this.browser = ByteBuffer.allocateDirect(BROWSER_GET.length).put(BROWSER_GET).flip();
		this.pipelined = ByteBuffer.allocateDirect(WRK_GET.length * 16);
		for (int i = 0; i < 16; i++) {
			this.pipelined.put(WRK_GET);
		}
		this.pipelined.flip();
	}

	@Benchmark
	public HttpRequest wrkGet() {
		this.wrk.rewind();
		return new HttpRequestParser(this.limits).parse(this.wrk);
	}

	@Benchmark
	public HttpRequest browserGet() {
		this.browser.rewind();
		return new HttpRequestParser(this.limits).parse(this.browser);
	}

	@Benchmark
	public void sixteenPipelinedGets(Blackhole blackhole) {
		this.pipelined.rewind();
		HttpRequestParser parser = new HttpRequestParser(this.limits);
		for (int i = 0; i < 16; i++) {
			blackhole.consume(parser.parse(this.pipelined));
		}
	}

}
