package io.github.tcpserver.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import io.github.tcpserver.codec.LengthPrefixedDecoder;
import io.github.tcpserver.codec.LineDecoder;

/**
 * The line and length-prefixed decoders on a read buffer of 64 chat-sized frames, whole or split
 * into reads of {@code split} bytes (frames then straddle reads, the decoders' slow path).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FrameDecoderBenchmark {

	private static final int FRAMES = 64;

	/** Bytes per read; 0 = all frames in one read. */
	@Param({ "0", "100" })
	public int split;

	private ByteBuffer lines;

	private ByteBuffer prefixed;

	private LineDecoder lineDecoder;

	private LengthPrefixedDecoder prefixedDecoder;

	private Consumer<Object> sink;

	@Setup
	public void setUp(Blackhole blackhole) {
		byte[] line = "alice: the quick brown fox jumps over the lazy dog, again and again\n"
			.getBytes(StandardCharsets.UTF_8);
		this.lines = ByteBuffer.allocateDirect(line.length * FRAMES);
		this.prefixed = ByteBuffer.allocateDirect((line.length + 3) * FRAMES);
		for (int i = 0; i < FRAMES; i++) {
			this.lines.put(line);
			this.prefixed.putInt(line.length - 1).put(line, 0, line.length - 1);
		}
		this.lines.flip();
		this.prefixed.flip();
		this.lineDecoder = new LineDecoder(1024);
		this.prefixedDecoder = new LengthPrefixedDecoder(1024);
		this.sink = blackhole::consume;
	}

	@Benchmark
	public void lineDecoder() {
		feed(this.lines, (in) -> this.lineDecoder.decode(in, this.sink));
	}

	@Benchmark
	public void lengthPrefixedDecoder() {
		feed(this.prefixed, (in) -> this.prefixedDecoder.decode(in, this.sink));
	}

	private void feed(ByteBuffer all, Consumer<ByteBuffer> decoder) {
		all.rewind();
		if (this.split == 0) {
			decoder.accept(all);
			return;
		}
		int end = all.limit();
		for (int from = 0; from < end; from += this.split) {
			all.limit(Math.min(end, from + this.split)).position(from);
			decoder.accept(all);
		}
		all.limit(end);
	}

}
