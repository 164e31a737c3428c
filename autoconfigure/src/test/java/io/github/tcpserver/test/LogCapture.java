package io.github.tcpserver.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what one class of the core logs through {@link System.Logger} (which the JDK backs with
 * java.util.logging unless another backend is installed), DEBUG included, for tests that check what
 * an operator would read. Close it to detach.
 */
public final class LogCapture implements AutoCloseable {

	private final Logger logger;

	private final Level previous;

	private final List<String> messages = new CopyOnWriteArrayList<>();

	private final Handler handler = new Handler() {

		@Override
		public void publish(LogRecord record) {
			LogCapture.this.messages.add(record.getMessage());
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
		}

	};

	/** @param name the logger to capture (a class name), at every level */
	public LogCapture(String name) {
		this.logger = Logger.getLogger(name);
		this.previous = this.logger.getLevel();
		this.logger.setLevel(Level.ALL);
		this.handler.setLevel(Level.ALL);
		this.logger.addHandler(this.handler);
	}

	/** @return the messages logged so far, in order */
	public String text() {
		return String.join("\n", this.messages);
	}

	@Override
	public void close() {
		this.logger.removeHandler(this.handler);
		this.logger.setLevel(this.previous);
	}

}
