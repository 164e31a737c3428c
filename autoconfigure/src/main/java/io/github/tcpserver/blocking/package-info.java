/**
 * Blocking code off the I/O threads: {@link io.github.tcpserver.blocking.OffloadingHandler} runs a
 * {@link io.github.tcpserver.core.ConnectionHandler} on an executor, one event of a connection at a
 * time, and {@link io.github.tcpserver.blocking.StreamHandlerAdapter} gives a
 * {@link io.github.tcpserver.blocking.StreamHandler} a connection's input and output streams. Plain
 * Java, no Spring.
 */
package io.github.tcpserver.blocking;
