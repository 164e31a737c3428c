package io.github.tcpserver.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Assumptions;

/**
 * A real load balancer (HAProxy or nginx) run by a test on loopback: its configuration file written
 * into the test's directory, its frontend on a free port, started in the foreground as the current
 * user and stopped by {@link #close()}.
 */
final class Balancer implements AutoCloseable {

	private final Process process;

	private final Path log;

	private final int port;

	private Balancer(Process process, Path log, int port) {
		this.process = process;
		this.log = log;
		this.port = port;
	}

	/**
	 * HAProxy in TCP mode.
	 * @param dir where the configuration and log go
	 * @param target the sample listener's port
	 * @param serverOptions options of the {@code server} line, such as {@code send-proxy-v2}
	 * @param frontendOptions extra lines of the frontend, such as a {@code unique-id-format}
	 */
	static Balancer haproxy(Path dir, int target, String serverOptions, String... frontendOptions) throws IOException {
		String binary = requireBinary("haproxy");
		int port = freePort();
		Path config = dir.resolve("haproxy-" + port + ".cfg");
		Files.writeString(config, String.join("\n", "global", "    maxconn 100", "defaults", "    mode tcp",
				"    timeout connect 5s", "    timeout client 30s", "    timeout server 30s", "frontend fe",
				"    bind 127.0.0.1:" + port, "    " + String.join("\n    ", frontendOptions), "    default_backend be",
				"backend be", "    server s1 127.0.0.1:" + target + " " + serverOptions, ""));
		Path log = dir.resolve("haproxy-" + port + ".log");
		// -db: stay in the foreground, so that the test owns the process and stops it.
		return start(List.of(binary, "-db", "-f", config.toString()), log, port);
	}

	/**
	 * nginx with a {@code stream} server that sends the PROXY protocol (v1, the only version nginx sends).
	 * @param dir the prefix: configuration, pid file and error log all stay in it
	 * @param target the sample listener's port
	 */
	static Balancer nginx(Path dir, int target) throws IOException {
		String binary = requireBinary("nginx");
		int port = freePort();
		Path prefix = Files.createDirectories(dir.resolve("nginx-" + port));
		Path module = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");
		Path config = prefix.resolve("nginx.conf");
		Files.writeString(config, String.join("\n",
				Files.exists(module) ? "load_module " + module + ";" : "# stream module built in",
				"pid " + prefix.resolve("nginx.pid") + ";", "error_log " + prefix.resolve("error.log") + " info;",
				"worker_processes 1;", "events { worker_connections 64; }", "stream {", "    server {",
				"        listen 127.0.0.1:" + port + ";", "        proxy_pass 127.0.0.1:" + target + ";",
				"        proxy_protocol on;", "    }", "}", ""));
		// -e: the error log before the configuration is read, so that nothing goes to /var/log.
		return start(List.of(binary, "-p", prefix + "/", "-e", prefix.resolve("startup-error.log").toString(), "-c",
				config.toString(), "-g", "daemon off;"), prefix.resolve("output.log"), port);
	}

	private static Balancer start(List<String> command, Path log, int port) throws IOException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		Balancer balancer = new Balancer(process, log, port);
		try {
			SampleProcess.await(Duration.ofSeconds(20), command.get(0) + " listening on " + port, () -> {
				if (!process.isAlive()) {
					throw new AssertionError(command + " exited with " + process.exitValue() + ":\n" + SampleProcess.read(log));
				}
				return listening(port);
			});
		}
		catch (RuntimeException | Error ex) {
			balancer.close();
			throw ex;
		}
		return balancer;
	}

	/** @return the frontend's port, where clients connect */
	int port() {
		return this.port;
	}

	/** @return what the balancer printed so far */
	String output() {
		return SampleProcess.read(this.log);
	}

	@Override
	public void close() {
		try {
			SampleProcess.stop(this.process);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The path of a balancer binary. Missing on a developer's machine, the test is skipped; on CI
	 * ({@code CI=true}, where {@code .ci/run} installs it) it fails, so that a broken install is
	 * never a green run.
	 */
	static String requireBinary(String name) {
		for (String dir : List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")) {
			if (Files.isExecutable(Path.of(dir, name))) {
				return Path.of(dir, name).toString();
			}
		}
		String message = name + " is not installed (.ci/run installs it: apt-get install " + name + ")";
		if ("true".equalsIgnoreCase(System.getenv("CI"))) {
			throw new AssertionError(message);
		}
		Assumptions.abort(message);
		return null;
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Whether something listens on 127.0.0.1:{@code port}, read from /proc/net/tcp: probing with a
	 * connection would reach the sample through the balancer and count as a client.
	 */
	private static boolean listening(int port) {
		String local = String.format(Locale.ROOT, "0100007F:%04X", port);
		try {
			return Files.readAllLines(Path.of("/proc/net/tcp"))
				.stream()
				.map(String::trim)
				.map((line) -> line.split("\\s+"))
				.anyMatch((fields) -> fields.length > 3 && fields[1].equals(local) && fields[3].equals("0A"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
