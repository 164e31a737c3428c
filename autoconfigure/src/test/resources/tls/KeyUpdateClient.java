import java.io.InputStream;
import java.io.OutputStream;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Random;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Test client run in its own JVM (TlsServerTests): jdk.tls.keyLimits is read once per JVM, so a
 * small limit that forces TLS 1.3 KeyUpdates must not leak into the test JVM. Echoes random bytes
 * through the server and prints OK when they come back intact. Trusts any certificate: test only.
 * Arguments: port, bytes.
 */
public class KeyUpdateClient {

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		int length = Integer.parseInt(args[1]);
		TrustManager trustAll = new X509TrustManager() {
			public void checkClientTrusted(X509Certificate[] chain, String type) {
			}

			public void checkServerTrusted(X509Certificate[] chain, String type) {
			}

			public X509Certificate[] getAcceptedIssuers() {
				return new X509Certificate[0];
			}
		};
		SSLContext context = SSLContext.getInstance("TLSv1.3");
		context.init(null, new TrustManager[] { trustAll }, null);
		byte[] payload = new byte[length];
		new Random(42).nextBytes(payload);
		try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
			socket.setSoTimeout(30_000);
			socket.setEnabledProtocols(new String[] { "TLSv1.3" });
			OutputStream out = socket.getOutputStream();
			InputStream in = socket.getInputStream();
			Thread writer = new Thread(() -> {
				try {
					for (int offset = 0; offset < length; offset += 8192) {
						out.write(payload, offset, Math.min(8192, length - offset));
					}
					out.flush();
				}
				catch (Exception ex) {
					ex.printStackTrace();
				}
			});
			writer.start();
			byte[] echoed = in.readNBytes(length);
			writer.join();
			System.out.println(Arrays.equals(payload, echoed) ? "OK " + echoed.length : "MISMATCH " + echoed.length);
		}
	}

}
