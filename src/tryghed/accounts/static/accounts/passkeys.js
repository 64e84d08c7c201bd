// allauth's webauthn.js only writes a failed or cancelled passkey step to the console:
// say it on the page instead, in the page's own words (#passkey-error carries them).
(function () {
  document.addEventListener('allauth.error', function (event) {
    const box = document.getElementById('passkey-error')
    if (!box) {
      return
    }
    event.preventDefault()
    box.textContent = box.dataset.message
    box.hidden = false
  })
})()
