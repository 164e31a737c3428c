package io.github.tcpserver.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged sample application started with {@code java -jar} for an integration test, every
 * port 0 on loopback, its output in a log file; the ports are read from the start-up log.
 */
final class SampleProcess implements AutoCloseable {

	private final Process process;

	private final Path log;

	private final String startup;

	private SampleProcess(Process process, Path log, Duration timeout) {
		this.process = process;
		this.log = log;
		this.startup = awaitLog("Started SampleApplication", timeout);
	}

	/**
	 * @param log where the output goes
	 * @param jvmOptions options before {@code -jar}, such as {@code -Dspring.aot.enabled=true}
	 * @return the started application, once it has logged that it started
	 */
	static SampleProcess start(Path log, String... jvmOptions) throws IOException {
		Path jar = Paths.get(System.getProperty("sample.jar", "target/tcp-server-sample-app.jar"));
		assertThat(jar).exists();
		List<String> command = new ArrayList<>();
		command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-Xmx256m");
		command.addAll(List.of(jvmOptions));
		command.addAll(List.of("-jar", jar.toString(), "--server.port=0", "--server.address=127.0.0.1",
				"--tcp.server.port=0", "--tcp.server.address=127.0.0.1", "--sample.download.port=0", "--http.port=0",
				"--chat.port=0", "--chat.framed-port=0", "--sample.tls.echo-port=0", "--sample.tls.https-port=0",
				"--sample.tls.chat-port=0", "--sample.tls.mutual-port=0"));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		return new SampleProcess(process, log, Duration.ofSeconds(90));
	}

	/** @return the start-up log, up to "Started SampleApplication" */
	String startupLog() {
		return this.startup;
	}

	/** @return the port of Tomcat, which serves the Actuator */
	int actuatorPort() {
		return group("Tomcat started on port (\\d+)");
	}

	/** @return the port of the named TCP listener */
	int listenerPort(String listener) {
		return group("'" + Pattern.quote(listener) + "' on 127\\.0\\.0\\.1:(\\d+)");
	}

	private int group(String regex) {
		Matcher matcher = Pattern.compile(regex).matcher(this.startup);
		assertThat(matcher.find()).as("%s in:%n%s", regex, this.startup).isTrue();
		return Integer.parseInt(matcher.group(1));
	}

	String awaitLog(String line, Duration timeout) {
		String[] output = new String[1];
		await(timeout, "'" + line + "' in the log", () -> {
			output[0] = read(this.log);
			if (!this.process.isAlive() && !output[0].contains(line)) {
				throw new AssertionError("The sample app exited with " + this.process.exitValue() + ":\n" + output[0]);
			}
			return output[0].contains(line);
		});
		return output[0];
	}

	static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static void await(Duration timeout, String what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting for " + what);
			}
			// Poll interval of a deadline wait, not a timing assumption.
			LockSupport.parkNanos(50_000_000);
		}
	}

	/** Stops the application (SIGTERM, then SIGKILL after 20 s). */
	@Override
	public void close() throws InterruptedException {
		stop(this.process);
	}

	static void stop(Process process) throws InterruptedException {
		if (process != null && process.isAlive()) {
			process.destroy();
			if (!process.waitFor(20, TimeUnit.SECONDS)) {
				process.destroyForcibly();
			}
		}
	}

}
