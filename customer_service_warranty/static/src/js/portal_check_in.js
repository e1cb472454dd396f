/** @odoo-module **/

/**
 * The team's check-in on the portal: the phone's location is added to the form when the
 * foreman allows it. A refusal, an error or no answer within a few seconds never blocks the
 * check-in: the form is sent with the location marked refused or unavailable.
 */
const WAIT_MS = 6000;

function send(form, values) {
    if (form.dataset.cswSent) {
        return;
    }
    form.dataset.cswSent = "1";
    for (const [name, value] of Object.entries(values)) {
        form.querySelector(`input[name=${name}]`).value = value;
    }
    form.submit();
}

document.addEventListener(
    "submit",
    (event) => {
        const form = event.target;
        if (!form.classList || !form.classList.contains("o_csw_check_in_form")) {
            return;
        }
        event.preventDefault();
        if (!navigator.geolocation) {
            send(form, { location: "unavailable" });
            return;
        }
        setTimeout(() => send(form, { location: "unavailable" }), WAIT_MS);
        navigator.geolocation.getCurrentPosition(
            (position) =>
                send(form, {
                    location: "recorded",
                    latitude: position.coords.latitude,
                    longitude: position.coords.longitude,
                    accuracy: position.coords.accuracy,
                }),
            (error) => send(form, { location: error.code === error.PERMISSION_DENIED ? "refused" : "unavailable" }),
            { enableHighAccuracy: true, timeout: WAIT_MS - 1000, maximumAge: 60000 }
        );
    },
    true
);
