package io.github.tcpserver.codec;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Turns a byte stream into frames. One decoder per connection: it keeps the bytes of an unfinished
 * frame between calls, so a frame split over any number of reads, or many frames in one read,
 * decode the same. Not thread-safe; a connection's reads come from one thread.
 *
 * @param <F> the frame type
 */
@FunctionalInterface
public interface FrameDecoder<F> {

	/**
	 * Consumes every byte between {@code in}'s position and limit and passes each complete frame to
	 * {@code out}, in order. A {@link ByteBuffer} frame may be a view of {@code in} or of the
	 * decoder's own buffer: valid only during the {@code out} call, so copy what you keep.
	 * @param in the bytes read; its position ends at its limit
	 * @param out receives each complete frame
	 * @throws TooLongFrameException if a frame passes the decoder's limit
	 * @throws CorruptedFrameException if a frame is malformed
	 */
	void decode(ByteBuffer in, Consumer<? super F> out);

}
