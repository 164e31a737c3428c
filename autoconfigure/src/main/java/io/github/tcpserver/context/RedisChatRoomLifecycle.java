package io.github.tcpserver.context;

import org.springframework.context.SmartLifecycle;

import io.github.tcpserver.protocol.chat.redis.RedisChatRoom;

/**
 * Starts the Redis chat room before the TCP server serves and stops it after the server's graceful
 * stop, while Redis connections still work: the leaves of the members the stop closed are then
 * announced, and this instance's names released, before the connection factory (phase 0) stops.
 */
public class RedisChatRoomLifecycle implements SmartLifecycle {

	/** After the server's phase on the way down, before it on the way up, and well above phase 0. */
	public static final int PHASE = SelectorServerLifecycle.PHASE - 1024;

	private final RedisChatRoom room;

	private volatile boolean running;

	public RedisChatRoomLifecycle(RedisChatRoom room) {
		this.room = room;
	}

	@Override
	public void start() {
		this.room.start();
		this.running = true;
	}

	@Override
	public void stop() {
		this.room.close();
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
