// The chat page's script. Without it the page works with plain form posts;
// with it, messages go with fetch and replies arrive as server-sent events.
//
// Every message carries an event id made here, kept until the server
// acknowledges it: a retry after a lost connection or a second click
// sends the same id, and the server stores the message once.
(function () {
	'use strict';

	var body = document.body;
	var log = document.getElementById('log');
	var status = document.getElementById('status');
	if (!log || !status || !window.fetch || !window.EventSource) {
		return; // the plain form posts still work
	}
	var epoch = body.getAttribute('data-epoch') || '';
	var csrf = body.getAttribute('data-csrf') || '';
	var last = Number(body.getAttribute('data-last')) || 0;
	var texts = status.dataset;
	var waiters = [];
	var stream = null;
	var streamEpoch = '';
	var offline = false;

	function uuid() {
		if (window.crypto && crypto.randomUUID) {
			return crypto.randomUUID();
		}
		var b = crypto.getRandomValues(new Uint8Array(16));
		b[6] = (b[6] & 0x0f) | 0x40;
		b[8] = (b[8] & 0x3f) | 0x80;
		var h = '';
		for (var i = 0; i < b.length; i++) {
			h += (b[i] < 16 ? '0' : '') + b[i].toString(16);
		}
		return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
	}

	// Each form gets its own event id, renewed once a message is through.
	function prepareForms(root) {
		var ids = root.querySelectorAll('form[action="/send"] input[name="id"]');
		for (var i = 0; i < ids.length; i++) {
			ids[i].value = uuid();
		}
	}

	function say(text) {
		status.textContent = text || '';
	}

	function setBusy(form, busy) {
		if (busy) {
			form.setAttribute('data-busy', '1');
		} else {
			form.removeAttribute('data-busy');
		}
		var buttons = form.querySelectorAll('button');
		for (var i = 0; i < buttons.length; i++) {
			if (busy) {
				buttons[i].setAttribute('aria-disabled', 'true');
			} else {
				buttons[i].removeAttribute('aria-disabled');
			}
		}
	}

	// whenDelivered runs fn once the reply seq has arrived, or after a
	// while anyway.
	function whenDelivered(seq, fn) {
		if (!seq || seq <= last) {
			fn();
			return;
		}
		var w = { seq: seq, fn: fn, done: false };
		waiters.push(w);
		setTimeout(function () { fire(w); }, 10000);
	}

	function fire(w) {
		if (!w.done) {
			w.done = true;
			w.fn();
		}
	}

	function runWaiters() {
		waiters = waiters.filter(function (w) {
			if (w.seq <= last) {
				fire(w);
				return false;
			}
			return !w.done;
		});
	}

	function focusAnswer() {
		var area = document.getElementById('answer');
		if (!area) {
			return;
		}
		var target = null;
		if (area.getAttribute('data-focus') === 'choice') {
			target = area.querySelector('.choices button');
		}
		if (!target) {
			target = document.getElementById('text');
		}
		(target || area).focus({ preventScroll: true });
	}

	document.addEventListener('submit', function (e) {
		var form = e.target;
		if (form.getAttribute('action') !== '/send' || form.classList.contains('start')) {
			return; // the code forms and the start button post as usual
		}
		e.preventDefault();
		if (form.hasAttribute('data-busy')) {
			return; // a second click: the first is on its way
		}
		var data = new URLSearchParams();
		var fields = new FormData(form);
		fields.forEach(function (value, key) {
			data.append(key, value);
		});
		var by = e.submitter;
		if (by && by.name) {
			data.append(by.name, by.value);
		}
		setBusy(form, true);
		post(form, data, 0);
	});

	document.addEventListener('keydown', function (e) {
		// Ctrl+Enter (or Cmd+Enter) sends a long answer.
		if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && e.target.id === 'text' && e.target.form) {
			e.preventDefault();
			e.target.form.requestSubmit();
		}
	});

	function post(form, data, attempt) {
		fetch('/send', {
			method: 'POST',
			body: data,
			credentials: 'same-origin',
			headers: { 'Accept': 'application/json', 'X-CSRF-Token': csrf }
		}).then(function (res) {
			return res.json().catch(function () { return {}; }).then(function (j) {
				if (res.ok) {
					acknowledged(form, j);
				} else if (res.status >= 500 || res.status === 429) {
					retry(form, data, attempt, Number(res.headers.get('Retry-After')));
				} else {
					refused(form, j.error);
				}
			});
		}, function () {
			retry(form, data, attempt, 0);
		});
	}

	function retry(form, data, attempt, after) {
		say(texts.retrying);
		var wait = after > 0 ? after * 1000 : Math.min(1000 * Math.pow(2, attempt), 15000);
		setTimeout(function () { post(form, data, attempt + 1); }, wait);
	}

	function refused(form, message) {
		say('');
		showError(message || texts.notsaved);
		setBusy(form, false);
	}

	function showError(message) {
		var el = document.getElementById('error');
		if (!el) {
			el = document.createElement('p');
			el.id = 'error';
			el.className = 'error';
			el.setAttribute('role', 'alert');
			status.insertAdjacentElement('afterend', el);
		}
		el.textContent = message;
	}

	function clearError() {
		var el = document.getElementById('error');
		if (el) {
			el.remove();
		}
	}

	function acknowledged(form, j) {
		say('');
		clearError();
		var text = form.querySelector('[name="text"]');
		if (text) {
			text.value = '';
			text.removeAttribute('aria-invalid');
		}
		whenDelivered(j.seq, function () {
			if (j.erased) {
				erased();
				return;
			}
			if (j.lang && j.lang !== document.documentElement.lang) {
				// The conversation changed language: the page follows.
				history.replaceState(null, '', '/#answer');
				location.reload();
				return;
			}
			if (document.body.contains(form)) {
				prepareForms(form.parentNode);
				setBusy(form, false);
			}
		});
	}

	// erased: the server forgot this device; the conversation ends here.
	function erased() {
		if (stream) {
			stream.close();
			stream = null;
		}
		var gone = document.querySelectorAll('#answer, .commands, #code');
		for (var i = 0; i < gone.length; i++) {
			gone[i].remove();
		}
		var p = document.createElement('p');
		p.id = 'answer';
		p.className = 'notice';
		p.setAttribute('role', 'status');
		p.tabIndex = -1;
		p.textContent = texts.erased;
		var again = document.createElement('p');
		var link = document.createElement('a');
		// Starting again keeps the language the conversation was in.
		link.href = '/?lang=' + encodeURIComponent(document.documentElement.lang);
		link.textContent = texts.again;
		again.appendChild(link);
		status.insertAdjacentElement('afterend', again);
		status.insertAdjacentElement('afterend', p);
		p.focus();
	}

	function connect() {
		streamEpoch = epoch;
		stream = new EventSource('/events?epoch=' + encodeURIComponent(epoch) + '&after=' + last);
		stream.addEventListener('epoch', function (e) {
			epoch = e.data; // a restarted server: the next reconnection says so
		});
		stream.addEventListener('gap', function () {
			var p = document.createElement('p');
			p.className = 'gap';
			p.textContent = texts.gap;
			log.appendChild(p);
		});
		stream.addEventListener('reply', function (e) {
			var d = JSON.parse(e.data);
			if (d.seq <= last) {
				return;
			}
			last = d.seq;
			log.insertAdjacentHTML('beforeend', d.html);
			var turn = log.lastElementChild;
			if (d.answer) {
				var area = document.getElementById('answer');
				area.insertAdjacentHTML('afterend', d.answer);
				area.remove();
				prepareForms(document.getElementById('answer'));
				clearError();
				if (turn && turn.scrollIntoView) {
					turn.scrollIntoView({ block: 'start' });
				}
				focusAnswer();
			}
			runWaiters();
		});
		stream.onopen = function () {
			if (offline) {
				offline = false;
				say(texts.reconnected);
				setTimeout(function () {
					if (!offline && status.textContent === texts.reconnected) {
						say('');
					}
				}, 4000);
			}
		};
		stream.onerror = function () {
			if (!stream) {
				return;
			}
			offline = true;
			say(texts.offline);
			if (stream.readyState === EventSource.CLOSED || streamEpoch !== epoch) {
				// Reconnect by hand: the browser gave up, or the server
				// restarted and the stream's address names the old one.
				stream.close();
				setTimeout(connect, 2000);
			}
		};
	}

	prepareForms(document);
	connect();
	if (location.hash === '#answer') {
		focusAnswer();
	}
})();
