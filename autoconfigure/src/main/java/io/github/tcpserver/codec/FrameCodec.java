package io.github.tcpserver.codec;

import java.nio.ByteBuffer;

/**
 * A framing: how frames of type {@code F} are cut from a byte stream and written to one. A codec
 * is immutable and shared by every connection of a listener; each connection gets its own
 * stateful {@link #newDecoder() decoder}.
 *
 * @param <F> the frame type
 * @see RawCodec
 * @see LineCodec
 * @see LengthPrefixedCodec
 * @see Utf8Codec
 */
public interface FrameCodec<F> {

	/** @return a new decoder, with its own partial-frame state, for one connection */
	FrameDecoder<F> newDecoder();

	/**
	 * Encodes one frame, framing included (a line terminator, a length header).
	 * @param frame the frame
	 * @return a new buffer holding the encoded frame between its position and limit
	 * @throws IllegalArgumentException if the frame cannot be encoded in this framing
	 */
	ByteBuffer encode(F frame);

}
