package io.github.tcpserver.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The terminal chat client, after the classic select() chat client: lines typed on stdin go to the
 * chat server, room traffic is printed as it arrives. Java cannot select() on stdin, so one thread
 * reads the keyboard and another the socket. No Spring and no servers: the sample application
 * runs this instead when given a {@code --chat.client.*} argument.
 * <p>
 * Exit codes: {@value #EXIT_QUIT} you left ({@code /quit} or end of input), {@value #EXIT_CANNOT_CONNECT}
 * the server could not be reached, {@value #EXIT_SERVER_GONE} the server closed the connection
 * or it was lost, {@value #EXIT_USAGE} bad arguments.
 */
public final class ChatClient {

	public static final int EXIT_QUIT = 0;

	public static final int EXIT_CANNOT_CONNECT = 1;

	public static final int EXIT_SERVER_GONE = 2;

	public static final int EXIT_USAGE = 64;

	private static final String PREFIX = "--chat.client.";

	/** How long to wait for the server to close after /quit before closing ourselves. */
	private static final long QUIT_GRACE_MILLIS = 5000;

	private final String name;

	private final String host;

	private final int port;

	/** Makes the TLS socket over the connected one, or {@code null} for plain TCP. */
	private final SSLSocketFactory tls;

	private volatile boolean quitting;

	ChatClient(String name, String host, int port) {
		this(name, host, port, null);
	}

	ChatClient(String name, String host, int port, SSLSocketFactory tls) {
		this.name = name;
		this.host = host;
		this.port = port;
		this.tls = tls;
	}

	/** @return whether {@code args} ask for the client rather than the servers */
	public static boolean isRequested(String[] args) {
		for (String arg : args) {
			if (arg.startsWith(PREFIX)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Runs the client on the process's terminal.
	 * @param args {@code --chat.client.name=alice --chat.client.host=127.0.0.1 --chat.client.port=9001};
	 * every one optional (no name: log in by typing {@code NAME: alice}); for TLS
	 * {@code --chat.client.tls=true} with {@code --chat.client.ca-file=ca.pem} (PEM certificates to
	 * trust) or {@code --chat.client.trust-store=trust.p12} and
	 * {@code --chat.client.trust-store-password=...}, else the JDK's trusted CAs
	 * @return the exit code
	 */
	public static int run(String[] args) {
		return run(args, System.in, System.out, System.err);
	}

	static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
		String name = null;
		String host = "127.0.0.1";
		int port = 9001;
		boolean tls = false;
		String caFile = null;
		String trustStore = null;
		String trustStorePassword = "";
		for (String arg : args) {
			if (!arg.startsWith(PREFIX)) {
				continue; // other (Spring) arguments are not the client's business
			}
			int equals = arg.indexOf('=');
			String key = arg.substring(PREFIX.length(), (equals < 0) ? arg.length() : equals);
			String value = (equals < 0) ? "" : arg.substring(equals + 1).strip();
			switch (key) {
				case "name" -> name = value.isEmpty() ? null : value;
				case "host" -> host = value;
				case "port" -> {
					try {
						port = Integer.parseInt(value);
					}
					catch (NumberFormatException ex) {
						port = -1;
					}
					if (port < 1 || port > 65535) {
						err.println("chat client: --chat.client.port must be a port number, not '" + value + "'");
						return EXIT_USAGE;
					}
				}
				case "tls" -> tls = value.isEmpty() || Boolean.parseBoolean(value);
				case "ca-file" -> caFile = value;
				case "trust-store" -> trustStore = value;
				case "trust-store-password" -> trustStorePassword = value;
				default -> {
					err.println("chat client: unknown option " + arg + " (known: --chat.client.name, --chat.client.host,"
							+ " --chat.client.port, --chat.client.tls, --chat.client.ca-file, --chat.client.trust-store,"
							+ " --chat.client.trust-store-password)");
					return EXIT_USAGE;
				}
			}
		}
		SSLSocketFactory factory = null;
		if (tls || caFile != null || trustStore != null) {
			try {
				factory = sslContext(caFile, trustStore, trustStorePassword).getSocketFactory();
			}
			catch (IOException | GeneralSecurityException ex) {
				err.println("chat client: cannot read the certificates to trust: " + ex.getMessage());
				return EXIT_USAGE;
			}
		}
		return new ChatClient(name, host, port, factory).run(stdin, out, err);
	}

	/** Trusts the CA file's certificates, or the trust store's, or else the JDK's default CAs. */
	private static SSLContext sslContext(String caFile, String trustStore, String password)
			throws IOException, GeneralSecurityException {
		SSLContext context = SSLContext.getInstance("TLS");
		if (caFile == null && trustStore == null) {
			context.init(null, null, null);
			return context;
		}
		KeyStore trusted;
		if (caFile != null) {
			trusted = KeyStore.getInstance(KeyStore.getDefaultType());
			trusted.load(null, null);
			try (InputStream in = Files.newInputStream(Path.of(caFile))) {
				int i = 0;
				for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
					trusted.setCertificateEntry("ca-" + i++, certificate);
				}
			}
		}
		else {
			trusted = KeyStore.getInstance(new java.io.File(trustStore), password.toCharArray());
		}
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(trusted);
		context.init(null, trust.getTrustManagers(), null);
		return context;
	}

	int run(InputStream stdin, PrintStream out, PrintStream err) {
		Socket plain = new Socket();
		Socket socket;
		try {
			plain.connect(new InetSocketAddress(this.host, this.port), 5000);
			plain.setTcpNoDelay(true);
			socket = (this.tls != null) ? startTls(plain) : plain;
		}
		catch (IOException ex) {
			err.println("chat client: cannot connect to " + this.host + ":" + this.port + ": " + ex.getMessage());
			closeQuietly(plain);
			return EXIT_CANNOT_CONNECT;
		}
		try {
			out.println("Connected to " + this.host + ":" + this.port
					+ ((socket instanceof SSLSocket ssl) ? " over " + ssl.getSession().getProtocol() : "")
					+ "; /help lists the commands, /quit leaves.");
			OutputStream toServer = socket.getOutputStream();
			CompletableFuture<Integer> ended = new CompletableFuture<>();
			start("chat-client-socket", () -> ended.complete(printServerLines(socket, out, err)));
			if (this.name != null) {
				send(toServer, "NAME: " + this.name);
			}
			start("chat-client-stdin", () -> forwardInput(stdin, toServer));
			return awaitEnd(ended);
		}
		catch (IOException ex) {
			err.println("chat client: connection to " + this.host + ":" + this.port + " lost: " + ex.getMessage());
			return EXIT_SERVER_GONE;
		}
		finally {
			closeQuietly(socket);
		}
	}

	/** TLS over the connected socket, checking that the certificate names the host (RFC 6125). */
	private Socket startTls(Socket plain) throws IOException {
		SSLSocket socket = (SSLSocket) this.tls.createSocket(plain, this.host, this.port, true);
		SSLParameters parameters = socket.getSSLParameters();
		parameters.setEndpointIdentificationAlgorithm("HTTPS");
		socket.setSSLParameters(parameters);
		socket.setSoTimeout(0);
		try {
			socket.startHandshake();
		}
		catch (IOException ex) {
			closeQuietly(socket);
			throw new IOException("TLS handshake failed: " + ex.getMessage(), ex);
		}
		return socket;
	}

	/** Prints server lines until the connection ends; returns the exit code. Socket thread. */
	private int printServerLines(Socket socket, PrintStream out, PrintStream err) {
		try {
			BufferedReader fromServer = new BufferedReader(
					new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			for (String line = fromServer.readLine(); line != null; line = fromServer.readLine()) {
				out.println(line);
			}
		}
		catch (IOException ex) {
			if (!this.quitting) {
				err.println("chat client: connection to " + this.host + ":" + this.port + " lost: " + ex.getMessage());
				return EXIT_SERVER_GONE;
			}
		}
		if (this.quitting) {
			return EXIT_QUIT;
		}
		err.println("chat client: the server at " + this.host + ":" + this.port + " closed the connection.");
		return EXIT_SERVER_GONE;
	}

	/** Sends each stdin line; at end of input says /quit. Stdin thread. */
	private void forwardInput(InputStream stdin, OutputStream toServer) {
		try {
			BufferedReader keyboard = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
			for (String line = keyboard.readLine(); line != null; line = keyboard.readLine()) {
				if (line.strip().equalsIgnoreCase("/quit")) {
					this.quitting = true;
				}
				send(toServer, line);
				if (this.quitting) {
					return;
				}
			}
			this.quitting = true;
			send(toServer, "/quit");
		}
		catch (IOException ex) {
			// The socket is gone: the socket thread reports it.
		}
	}

	private int awaitEnd(CompletableFuture<Integer> ended) {
		try {
			while (true) {
				try {
					return ended.get(QUIT_GRACE_MILLIS, TimeUnit.MILLISECONDS);
				}
				catch (TimeoutException ex) {
					if (this.quitting) {
						return EXIT_QUIT; // said /quit; the server did not close in time
					}
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return EXIT_QUIT;
		}
		catch (ExecutionException ex) {
			return EXIT_SERVER_GONE;
		}
	}

	private static void send(OutputStream toServer, String line) throws IOException {
		synchronized (toServer) {
			toServer.write((line + "\n").getBytes(StandardCharsets.UTF_8));
			toServer.flush();
		}
	}

	private static void start(String name, Runnable task) {
		Thread thread = new Thread(task, name);
		// Daemon: a thread blocked reading the keyboard must not keep the JVM alive after exit.
		thread.setDaemon(true);
		thread.start();
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// closing after the end of the session: nothing left to report
		}
	}

}
