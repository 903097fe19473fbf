package receiver

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultGrace is how long Close lets in-flight deliveries finish before
// dropping their connections. Latency waits end at once on shutdown, so
// only a slow sender or observer can use it up.
const DefaultGrace = 5 * time.Second

// Server timeouts: headers must come quickly, or a slowloris holds a
// connection forever. The body has its own deadline (see bodyTimeout).
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
)

// Server is a Receiver listening on its own address. The caller owns it and
// must Close it (or Shut it down); the embedded Receiver's methods
// (Deliveries, Summary, Clear, Err) stay usable afterwards.
type Server struct {
	*Receiver
	// URL is the base URL deliveries can be POSTed to, e.g.
	// http://127.0.0.1:41234. An unspecified listening address (":8080",
	// "0.0.0.0:8080") is shown as 127.0.0.1.
	URL string
	// Addr is the bound address, host:port, with the real port when
	// Start was given port 0.
	Addr string
	// InspectURL is the base URL of the inspection API, on its own
	// loopback address (WithInspectAddr), e.g. http://127.0.0.1:41235:
	// GET InspectURL + PathDeliveries. "" when WithInspectAddr("").
	InspectURL string

	srv      *http.Server
	inspect  *http.Server // nil without an inspection address
	cancel   context.CancelFunc
	done     chan struct{}
	serveErr error // set before done is closed

	closeOnce sync.Once
	closeErr  error
}

// inspectAddrError is an inspection address (WithInspectAddr) Start could
// not bind, told apart from addr's so that Run names the right one.
type inspectAddrError struct {
	addr string
	err  error
}

func (e *inspectAddrError) Error() string { return "inspection address: " + e.err.Error() }
func (e *inspectAddrError) Unwrap() error { return e.err }

// Start creates a Receiver with opts and serves it on addr ("127.0.0.1:0"
// picks a free port). It returns once the address is bound, so a sender may
// deliver to Server.URL at once. A bad option or an address that can't be
// bound is an error, and nothing is left running.
func Start(addr string, opts ...Option) (*Server, error) {
	rc, err := New(opts...)
	if err != nil {
		return nil, err
	}
	// The schemas compile on first use, some 20 ms: done before the
	// address is open rather than by the first delivery, which held up
	// every delivery arriving meanwhile (under load at 10,000/s, 64 of
	// them, all of its workers, 21 ms each).
	_, _ = rc.cfg.validate([]byte("{}"))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	var ils net.Listener
	if rc.cfg.inspectAddr != "" {
		if ils, err = net.Listen("tcp", rc.cfg.inspectAddr); err != nil {
			ln.Close()
			return nil, &inspectAddrError{addr: rc.cfg.inspectAddr, err: err}
		}
	}
	// Cancelled on shutdown, so that Latency waits end instead of holding
	// the shutdown for their full length.
	base, cancel := context.WithCancel(context.Background())
	s := &Server{
		Receiver: rc,
		URL:      "http://" + displayAddr(ln.Addr()),
		Addr:     ln.Addr().String(),
		cancel:   cancel,
		done:     make(chan struct{}),
		srv:      newHTTPServer(rc, base),
	}
	if rc.cfg.maxConns > 0 {
		ln = &capListener{Listener: ln, slots: make(chan struct{}, rc.cfg.maxConns), refuse: rc.refuseConn}
	}
	serving := []func() error{func() error { return s.srv.Serve(ln) }}
	if ils != nil {
		s.InspectURL = "http://" + displayAddr(ils.Addr())
		s.inspect = newHTTPServer(rc.InspectHandler(), base)
		serving = append(serving, func() error { return s.inspect.Serve(ils) })
	}
	var wg sync.WaitGroup
	var errMu sync.Mutex
	for _, serve := range serving {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := serve(); !errors.Is(err, http.ErrServerClosed) {
				errMu.Lock()
				s.serveErr = errors.Join(s.serveErr, err)
				errMu.Unlock()
			}
		}()
	}
	go func() {
		wg.Wait()
		close(s.done)
	}()
	return s, nil
}

func newHTTPServer(h http.Handler, base context.Context) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		BaseContext:       func(net.Listener) context.Context { return base },
		// The library never prints; the errors net/http logs (a
		// client hanging up mid-request) are the sender's business.
		ErrorLog: log.New(io.Discard, "", 0),
	}
}

func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// Shutdown stops accepting deliveries and waits for those in flight to be
// answered, until ctx is done, when it drops the remaining connections. It
// returns ctx's error in that case, or the error that stopped the server
// early. Later calls (and Close) return the first call's result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.stopping.Store(true)
		s.cancel()
		if s.inspect != nil {
			_ = s.inspect.Close()
		}
		err := s.srv.Shutdown(ctx)
		if err != nil {
			_ = s.srv.Close()
		} else {
			s.drainPublishing(ctx)
		}
		<-s.done
		s.closeErr = errors.Join(err, s.serveErr)
	})
	return s.closeErr
}

// Close shuts the server down, giving in-flight deliveries DefaultGrace to
// be answered.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultGrace)
	defer cancel()
	return s.Shutdown(ctx)
}
