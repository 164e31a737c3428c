package io.github.tcpserver.sample;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import io.github.tcpserver.protocol.chat.ChatRoom;

/**
 * The sample's chat room settings ({@code chat.*}). The ports are read by the
 * {@code @SocketHandler} placeholders of {@link ChatConfiguration}.
 */
@ConfigurationProperties("chat")
public class ChatProperties {

	/** Port of the line-based chat listener (nc, telnet, the terminal client). */
	private int port = 9001;

	/** Port of the chat listener that speaks 4-byte length-prefixed UTF-8 frames. */
	private int framedPort = 9002;

	/** Longest line a client may send, in bytes without the line terminator. */
	private int maxLineLength = 1024;

	/** Largest frame a client of the length-prefixed listener may send, header excluded. */
	private DataSize maxFrameSize = DataSize.ofKilobytes(1);

	/** Where the room lives: in this JVM (none) or shared by every instance through Redis (redis). */
	private Cluster cluster = Cluster.NONE;

	/** Unread output past which a member is disconnected as not reading. */
	private DataSize maxPendingOutput = DataSize.ofBytes(ChatRoom.DEFAULT_MAX_PENDING_OUTPUT);

	public int getPort() {
		return this.port;
	}

	public void setPort(int port) {
		this.port = port;
	}

	public int getFramedPort() {
		return this.framedPort;
	}

	public void setFramedPort(int framedPort) {
		this.framedPort = framedPort;
	}

	public int getMaxLineLength() {
		return this.maxLineLength;
	}

	public void setMaxLineLength(int maxLineLength) {
		if (maxLineLength < 1) {
			throw new IllegalArgumentException("chat.max-line-length must be at least 1 but was " + maxLineLength);
		}
		this.maxLineLength = maxLineLength;
	}

	public DataSize getMaxFrameSize() {
		return this.maxFrameSize;
	}

	public void setMaxFrameSize(DataSize maxFrameSize) {
		if (maxFrameSize.toBytes() < 1 || maxFrameSize.toBytes() > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("chat.max-frame-size must be between 1B and 2GB but was " + maxFrameSize);
		}
		this.maxFrameSize = maxFrameSize;
	}

	public Cluster getCluster() {
		return this.cluster;
	}

	public void setCluster(Cluster cluster) {
		this.cluster = cluster;
	}

	public DataSize getMaxPendingOutput() {
		return this.maxPendingOutput;
	}

	public void setMaxPendingOutput(DataSize maxPendingOutput) {
		if (maxPendingOutput.toBytes() < 1) {
			throw new IllegalArgumentException("chat.max-pending-output must be positive but was " + maxPendingOutput);
		}
		this.maxPendingOutput = maxPendingOutput;
	}

	/** Where the chat room lives. */
	public enum Cluster {

		/** In this JVM: each instance has a room of its own. */
		NONE,

		/** Shared through Redis by every instance (the library's RedisChatRoom). */
		REDIS

	}

}
