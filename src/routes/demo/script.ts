/**
 * The demo page's browser script (inlined after `const DEMO = {…}`). Plain ES2020, no template
 * literals (it lives in one). URLs come from the Worker (/_dprox/demo/…), built with dprox/client.
 */
export const DEMO_SCRIPT = String.raw`
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, props, children) {
    var e = document.createElement(tag);
    Object.assign(e, props || {});
    (children || []).forEach(function (c) { e.append(c); });
    return e;
  };
  var chosen = null;

  // ---- upload: drag and drop (or the file input) through the upload API's unsigned preset
  var zone = $('dropzone');
  ['dragenter', 'dragover'].forEach(function (t) {
    zone.addEventListener(t, function (ev) { ev.preventDefault(); zone.classList.add('over'); });
  });
  ['dragleave', 'drop'].forEach(function (t) {
    zone.addEventListener(t, function () { zone.classList.remove('over'); });
  });
  zone.addEventListener('drop', function (ev) {
    ev.preventDefault();
    var files = ev.dataTransfer && ev.dataTransfer.files;
    if (files && files.length) upload(files[0]);
  });
  $('file').addEventListener('change', function (ev) { if (ev.target.files.length) upload(ev.target.files[0]); });

  function upload(file) {
    var status = $('upload-status');
    if (!DEMO.uploadPreset) { status.textContent = 'Uploads are off: set UNSIGNED_UPLOAD_PRESET.'; status.className = 'error'; return; }
    var form = new FormData();
    form.append('file', file);
    form.append('upload_preset', DEMO.uploadPreset);
    var stem = file.name.replace(/\.[^.]*$/, '').replace(/[^\w-]+/g, '_').slice(0, 60) || 'upload';
    form.append('public_id', 'uploads/' + stem);
    status.className = '';
    status.textContent = 'Uploading ' + file.name + '…';
    fetch(DEMO.uploadUrl, { method: 'POST', body: form })
      .then(function (res) { return res.json().then(function (body) { return { ok: res.ok, body: body }; }); })
      .then(function (r) {
        if (!r.ok) throw new Error(r.body.error ? r.body.error.message : 'upload failed');
        status.textContent = (r.body.existing ? 'Already uploaded: ' : 'Uploaded: ') + r.body.public_id + ' (' + r.body.width + '×' + r.body.height + ')';
        return loadGallery(r.body.public_id);
      })
      .catch(function (e) { status.textContent = 'Upload failed: ' + e.message; status.className = 'error'; });
  }

  // ---- gallery
  function loadGallery(select) {
    return fetch('/_dprox/demo/images').then(function (r) { return r.json(); }).then(function (data) {
      var box = $('gallery');
      box.replaceChildren();
      data.images.forEach(function (img) {
        var b = el('button', { type: 'button', title: img.public_id }, [el('img', { src: img.thumbnail, alt: img.public_id, width: 120, height: 120 })]);
        b.dataset.publicId = img.public_id;
        b.addEventListener('click', function () { choose(img.public_id); });
        box.append(b);
      });
      if (!data.images.length) box.textContent = 'No images yet: drop one above.';
      var first = select || chosen || (data.images[0] && data.images[0].public_id);
      if (first) choose(first);
    });
  }

  // ---- comparisons of the chosen image
  function choose(publicId) {
    chosen = publicId;
    document.querySelectorAll('#gallery button').forEach(function (b) { b.classList.toggle('chosen', b.dataset.publicId === publicId); });
    fetch('/_dprox/demo/comparisons?public_id=' + encodeURIComponent(publicId)).then(function (r) {
      if (r.ok) return r.json();
      // Refused (403: not the demo's to sign, 429: too many): the reason is in X-Cld-Error.
      var reason = r.headers.get('X-Cld-Error') || String(r.status);
      try { reason = decodeURIComponent(reason); } catch (e) {}
      if (r.status === 429) reason += ' (retry in ' + (r.headers.get('Retry-After') || '?') + ' s)';
      return { error: reason };
    }).then(function (data) {
      if (chosen !== publicId) return;
      if (data.error) {
        $('chosen-title').textContent = publicId + ': ' + data.error;
        $('comparisons').replaceChildren();
        return;
      }
      $('chosen-title').textContent = publicId + ' (' + data.width + '×' + data.height + ')';
      var box = $('comparisons');
      box.replaceChildren();
      data.comparisons.forEach(function (c) {
        box.append(el('h3', { textContent: c.title }), el('p', { className: 'note', textContent: c.note }), el('div', { className: 'row' }, c.pictures.map(picture)));
      });
    });
  }

  function picture(p) {
    var img = el('img', { alt: p.label, width: p.width });
    if (p.height) img.height = p.height;
    var info = el('span', { className: 'info' });
    var copy = el('button', { type: 'button', textContent: 'Copy URL' });
    copy.addEventListener('click', function () { navigator.clipboard && navigator.clipboard.writeText(p.url); });
    var caption = el('figcaption', {}, [el('b', { textContent: p.label }), ' ', info, el('code', { className: 'url', textContent: p.url }), copy]);
    var fig = el('figure', { className: 'picture' }, [img, caption]);
    fig.dataset.label = p.label;
    img.addEventListener('load', function () {
      info.textContent = img.naturalWidth + '×' + img.naturalHeight + ' px';
      if (p.dprAuto) {
        var dpr = img.naturalWidth / p.width;
        fig.dataset.deliveredDpr = String(dpr);
        info.textContent += ': delivered at DPR ' + dpr + ' (Sec-CH-DPR ' + (DEMO.reportedDpr || 'not sent') + ', window.devicePixelRatio ' + window.devicePixelRatio + ')';
      }
    });
    img.addEventListener('error', function () { showError(p.url, info); });
    if (p.ai) followJob(p, img, fig); else img.src = p.url;
    return fig;
  }

  function showError(url, info) {
    fetch(url).then(function (r) {
      info.className = 'info error';
      info.textContent = r.status + ' ' + (r.headers.get('X-Cld-Error') || r.statusText);
    });
  }

  // An AI effect: 423 while its job runs; the bar follows GET /v1_1/<cloud>/jobs/<id>.
  function followJob(p, img, fig) {
    var bar = el('progress', { max: 100, value: 0 });
    var label = el('span', { className: 'percent', textContent: '0%' });
    fig.insertBefore(el('div', { className: 'job' }, [bar, label]), fig.lastChild);
    var set = function (percent, text) {
      bar.value = percent;
      label.textContent = text || percent + '%';
      fig.dataset.percent = String(percent);
    };
    var done = function () { set(100); img.src = p.url; };
    fetch(p.url, { headers: { Prefer: 'respond-async' } }).then(function (res) {
      if (res.status === 200) return done();
      var job = res.headers.get('X-Dprox-Job');
      if (res.status !== 423 || !job) {
        set(0, res.status + ' ' + (res.headers.get('X-Cld-Error') || res.statusText));
        label.className = 'percent error';
        return;
      }
      var poll = function () {
        fetch(job).then(function (r) { return r.json(); }).then(function (s) {
          if (s.state === 'done') return done();
          if (s.state === 'failed') { set(s.percent || 0, 'failed: ' + s.error); label.className = 'percent error'; return; }
          set(s.percent || 0, (s.percent || 0) + '% (' + s.state + ')');
          setTimeout(poll, 400);
        }).catch(function () { setTimeout(poll, 1000); });
      };
      poll();
    });
  }

  loadGallery();
})();
`;
