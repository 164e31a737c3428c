package io.github.tcpserver.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzz targets of the frame decoders: line, length-prefixed and UTF-8 over
 * length-prefixed. A plain test run replays the regression corpus in
 * {@code FrameDecoderFuzzTestsInputs/}; {@code scripts/fuzz.sh} fuzzes each for a bounded time.
 * Properties: nothing escapes but a {@link FrameException}; frames and the error are the same for
 * the whole input and for the same bytes split anywhere; no frame passes the decoder's limit.
 */
@Tag("fuzz")
class FrameDecoderFuzzTests {

	private static final int MAX = 64;

	@FuzzTest(maxDuration = "30s")
	void lineFramesDoNotDependOnReadBoundaries(byte[] input) {
		check(input, () -> new LineCodec(MAX).newDecoder(), (line) -> {
			assertThat(line.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(MAX * 4);
			assertThat(line).doesNotContain("\n");
			return line;
		});
	}

	@FuzzTest(maxDuration = "30s")
	void lengthPrefixedFramesDoNotDependOnReadBoundaries(byte[] input) {
		check(input, () -> new LengthPrefixedCodec(MAX).newDecoder(), (frame) -> {
			assertThat(frame.remaining()).isLessThanOrEqualTo(MAX);
			byte[] copy = new byte[frame.remaining()];
			frame.get(copy);
			return HexFormat.of().formatHex(copy);
		});
	}

	@FuzzTest(maxDuration = "30s")
	void utf8FramesDoNotDependOnReadBoundaries(byte[] input) {
		check(input, () -> new Utf8Codec(new LengthPrefixedCodec(MAX)).newDecoder(), (text) -> {
			assertThat(text.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(MAX);
			return text;
		});
	}

	private static <F> void check(byte[] input, Supplier<FrameDecoder<F>> decoders, Describer<F> describe) {
		String whole = verdict(input, input.length, decoders.get(), describe);
		int step = (input.length <= 256) ? 1 : input.length / 97;
		for (int split = 0; split < input.length; split += step) {
			assertThat(verdict(input, split, decoders.get(), describe)).as("split at %d", split).isEqualTo(whole);
		}
	}

	/** The frames decoded from two reads split at {@code split}, then the error if any. */
	private static <F> String verdict(byte[] input, int split, FrameDecoder<F> decoder, Describer<F> describe) {
		List<String> frames = new ArrayList<>();
		try {
			decoder.decode(ByteBuffer.wrap(input, 0, split), (frame) -> frames.add(describe.describe(frame)));
			decoder.decode(ByteBuffer.wrap(input, split, input.length - split),
					(frame) -> frames.add(describe.describe(frame)));
		}
		catch (FrameException ex) {
			frames.add("error " + ex.getClass().getSimpleName());
		}
		return String.join(" | ", frames);
	}

	@FunctionalInterface
	private interface Describer<F> {

		String describe(F frame);

	}

}
