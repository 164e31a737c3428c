package io.github.tcpserver.test;

import java.nio.ByteBuffer;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionHandler;

/**
 * A test protocol whose output is known exactly: the client sends a decimal count and a newline,
 * the server answers with that many bytes of {@link #expected(int)}. A client that asks for more
 * than the socket buffers hold and does not read leaves the rest in the outbound queue. Anything
 * but digits is reported as a protocol error.
 */
public class DownloadHandler implements ConnectionHandler {

	/** Bytes of the reply, reproducible by the client: byte i is i mod 251 (a prime, so no power-of-two period). */
	public static byte[] expected(int length) {
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) (i % 251);
		}
		return bytes;
	}

	@Override
	public void onRead(Connection connection, ByteBuffer data) {
		StringBuilder request = (StringBuilder) connection.attachment();
		if (request == null) {
			request = new StringBuilder();
			connection.attach(request);
		}
		while (data.hasRemaining()) {
			char c = (char) data.get();
			if (c == '\n') {
				connection.write(ByteBuffer.wrap(expected(Integer.parseInt(request.toString().trim()))));
				request.setLength(0);
			}
			else if (Character.isDigit(c) || c == '\r') {
				request.append(c);
			}
			else {
				connection.reportProtocolError();
				connection.write("error: digits only\n");
				request.setLength(0);
			}
		}
	}

}
