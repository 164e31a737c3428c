package io.github.tcpserver.protocol.http;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What the parser makes of some bytes, as one comparable string: the requests it completed
 * ({@code METHOD path bodyLength}, joined by {@code " | "}), then {@code "reject <status>"} if it
 * refused the input, or {@code "+partial"} if bytes of an unfinished request are left. Used by the
 * differential table and the fuzz targets to compare a parse of the whole input with parses of the
 * same bytes split anywhere.
 */
final class ParserVerdict {

	private ParserVerdict() {
	}

	/**
	 * @param limits the limits of the parser
	 * @param input the bytes, fed in two reads split at {@code split} (0 or input.length: one read)
	 * @param split where the second read begins
	 * @return the verdict
	 */
	static String of(HttpLimits limits, byte[] input, int split) {
		HttpRequestParser parser = new HttpRequestParser(limits);
		List<String> parts = new ArrayList<>();
		try {
			feed(parser, limits, ByteBuffer.wrap(input, 0, split), parts);
			feed(parser, limits, ByteBuffer.wrap(input, split, input.length - split), parts);
			if (!parser.isIdle()) {
				parts.add("+partial");
			}
		}
		catch (HttpParseException ex) {
			parts.add("reject " + ex.status());
		}
		finally {
			parser.release();
		}
		return String.join(" | ", parts);
	}

	private static void feed(HttpRequestParser parser, HttpLimits limits, ByteBuffer in, List<String> parts) {
		while (in.hasRemaining()) {
			HttpRequest request = parser.parse(in);
			// No allocation beyond the limits: one request's body at most, whatever was declared.
			if (limits.requestMemory().used() > limits.maxBodySize()) {
				throw new AssertionError("The parser holds " + limits.requestMemory().used()
						+ " bytes of body memory, more than maxBodySize " + limits.maxBodySize());
			}
			if (request != null) {
				parts.add(request.method() + " " + request.path() + " " + request.body().length);
			}
		}
	}

}
