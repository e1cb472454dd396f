/** @odoo-module **/

/**
 * A real PNG image, drawn on a canvas: the server reads the type from the content.
 *
 * @returns {Promise<Blob>}
 */
function pngBlob() {
    const canvas = document.createElement("canvas");
    canvas.width = 8;
    canvas.height = 8;
    const context = canvas.getContext("2d");
    context.fillStyle = "#3a7bd5";
    context.fillRect(0, 0, 8, 8);
    return new Promise((resolve, reject) =>
        canvas.toBlob(
            (blob) => (blob ? resolve(blob) : reject(new Error("the canvas gave no PNG"))),
            "image/png"
        )
    );
}

/**
 * A step giving a PNG photo to a file input, as if the user had picked it.
 *
 * @param {string} trigger the file input
 * @param {string} fileName
 */
export function attachPhoto(trigger, fileName) {
    return {
        content: `Attach the photo ${fileName}`,
        trigger,
        async run() {
            const input = this.anchor;
            const blob = await pngBlob();
            const transfer = new DataTransfer();
            transfer.items.add(new File([blob], fileName, { type: "image/png" }));
            input.files = transfer.files;
            input.dispatchEvent(new Event("change", { bubbles: true }));
            if (input.files.length !== 1 || input.files[0].name !== fileName) {
                throw new Error(`the file input did not take ${fileName}`);
            }
        },
    };
}

/**
 * A step failing when the portal page shows an error (a refused request).
 *
 * @param {string} trigger what the page must show
 */
export function expectNoPortalError(trigger) {
    return {
        content: "The page shows no error",
        trigger,
        run() {
            const error = document.querySelector(".o_csw_error");
            if (error) {
                throw new Error(`the portal refused the request: ${error.textContent.trim()}`);
            }
        },
    };
}
