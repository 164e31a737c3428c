package io.github.tcpserver.protocol.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** One response read off a raw socket, framed by Content-Length or chunked coding, for pipelining tests. */
record RawHttpResponse(int status, Map<String, String> headers, byte[] body) {

	/** Reads one response to a non-HEAD request; the stream is left at the next response. */
	static RawHttpResponse read(InputStream in) throws IOException {
		return read(in, false);
	}

	static RawHttpResponse read(InputStream in, boolean head) throws IOException {
		String statusLine = line(in);
		int status = Integer.parseInt(statusLine.substring(9, 12));
		Map<String, String> headers = new LinkedHashMap<>();
		for (String line = line(in); !line.isEmpty(); line = line(in)) {
			int colon = line.indexOf(':');
			headers.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
		}
		if (head || status == 204 || status == 304) {
			return new RawHttpResponse(status, headers, new byte[0]);
		}
		if (headers.containsKey("content-length")) {
			int length = Integer.parseInt(headers.get("content-length"));
			byte[] body = in.readNBytes(length);
			if (body.length != length) {
				throw new IOException("Body ended after " + body.length + " of " + length + " bytes");
			}
			return new RawHttpResponse(status, headers, body);
		}
		if ("chunked".equals(headers.get("transfer-encoding"))) {
			ByteArrayOutputStream body = new ByteArrayOutputStream();
			while (true) {
				int size = Integer.parseInt(line(in), 16);
				if (size == 0) {
					line(in);
					return new RawHttpResponse(status, headers, body.toByteArray());
				}
				byte[] chunk = in.readNBytes(size);
				if (chunk.length != size) {
					throw new IOException("Chunk ended after " + chunk.length + " of " + size + " bytes");
				}
				body.write(chunk);
				line(in);
			}
		}
		return new RawHttpResponse(status, headers, in.readAllBytes()); // close-delimited
	}

	String bodyText() {
		return new String(this.body, StandardCharsets.UTF_8);
	}

	private static String line(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		for (int b = in.read(); b != '\n'; b = in.read()) {
			if (b < 0) {
				throw new IOException("Connection closed in a response head after '" + line + "'");
			}
			if (b != '\r') {
				line.append((char) b);
			}
		}
		return line.toString();
	}

}
