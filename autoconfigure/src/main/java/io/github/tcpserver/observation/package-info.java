/**
 * Micrometer adapters of the server's hooks: each HTTP request timed directly
 * ({@link io.github.tcpserver.observation.MeterHttpExchangeObserver}) or observed
 * ({@link io.github.tcpserver.observation.ObservationHttpExchangeObserver}) through
 * {@link io.github.tcpserver.protocol.http.HttpExchangeObserver}, and one observation per call of
 * an offloaded handler ({@link io.github.tcpserver.blocking.OffloadedCallObserver}), each named by
 * a convention the application can replace.
 */
package io.github.tcpserver.observation;
