/*
 * A PATCH's body held to the room its upload has left
 * (ngx_pa_upload_room.c): a request body filter.
 */

#ifndef NGX_PA_UPLOAD_ROOM_H
#define NGX_PA_UPLOAD_ROOM_H

#include "ngx_pa.h"


ngx_int_t ngx_pa_upload_room_init(ngx_conf_t *cf);

#endif /* NGX_PA_UPLOAD_ROOM_H */
